import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EXIT } from '../../main/cli/exitCodes'
import { snapshotDir } from '../../main/core/fsx'
import { acquireScanLock } from '../../main/core/scan/scanLock'
import { dojang } from '../support/cli'
import { copyHongFolder, tempDir } from '../support/fixtures'
import { openssl } from '../support/openssl'

let tmp: { dir: string; cleanup: () => Promise<void> }
let root: string
let folder: string
let env: NodeJS.ProcessEnv
beforeEach(async () => {
  tmp = await tempDir()
  folder = await copyHongFolder(tmp.dir)
  root = join(tmp.dir, 'NPKI')
  // No session bus for these runs: the keychain is skipped rather than waited for.
  env = { DOJANG_DATA_DIR: join(tmp.dir, 'data'), DBUS_SESSION_BUS_ADDRESS: '' }
})
afterEach(() => tmp.cleanup())

describe('dojang scan / list / report', () => {
  it('scan --json lists certificates with their copies and findings; progress goes to stderr', async () => {
    await mkdir(join(tmp.dir, 'usb'))
    await copyHongFolder(join(tmp.dir, 'usb'))
    await writeFile(join(folder, '보안카드.jpg'), 'not really a picture')
    const r = dojang(['scan', '--root', root, '--root', join(tmp.dir, 'usb', 'NPKI'), '--json'], { env })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/scanning: .*done/)
    const out = JSON.parse(r.stdout)
    expect(out.certificates).toHaveLength(1)
    expect(out.certificates[0].copies).toHaveLength(2)
    const kinds = out.findings.map((f: { kind: string }) => f.kind)
    expect(kinds).toContain('duplicate')
    expect(kinds.some((k: string) => /suspicious|stray|file/.test(k))).toBe(true)
  })

  it('list --json shows each copy with its medium and location', () => {
    const r = dojang(['list', '--root', root, '--json'], { env })
    expect(r.status, r.stderr).toBe(0)
    const rows = JSON.parse(r.stdout)
    expect(rows[0].copies).toEqual([expect.objectContaining({ medium: 'disk', location: folder })])
  })

  it('report --csv has one row per copy with a header, and neutralises formulas', () => {
    const r = dojang(['report', '--root', root, '--csv'], { env })
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toBe('name,issuer,serial,notAfter,daysLeft,state,purpose,medium,location,signPri,kmPair,keyScheme,findings')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain('"홍길동"')
    expect(lines[1]).toContain(`"${folder}"`)
  })

  it('an empty root says where certificates usually are', async () => {
    await mkdir(join(tmp.dir, 'nothing'))
    const r = dojang(['list', '--root', join(tmp.dir, 'nothing')], { env })
    expect(r.status).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/NPKI/)
  })
})

describe('dojang expiring', () => {
  it('exit 0 when nothing expires within N days, 1 with the list when something does', async () => {
    // The fixture expires in 2044; add a certificate that expires in ten days (made by OpenSSL).
    const none = dojang(['expiring', '--days', '30', '--root', root], { env })
    expect(none.status).toBe(0)
    expect(none.stdout).toBe('')
    const soon = join(root, 'yessign', 'USER', 'cn=곧만료()0012345678901235,ou=personal4IB,o=yessign,c=kr')
    await mkdir(soon, { recursive: true })
    const key = join(tmp.dir, 'k.pem')
    openssl(['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', key, '-days', '10', '-subj', '/C=kr/O=yessign/OU=personal4IB/CN=곧만료()0012345678901235', '-utf8', '-outform', 'DER', '-out', join(soon, 'signCert.der')])
    const some = dojang(['expiring', '--days', '30', '--root', root, '--json'], { env })
    expect(some.status).toBe(EXIT.FAILURE)
    const rows = JSON.parse(some.stdout)
    expect(rows.map((r: { name: string }) => r.name)).toEqual(['곧만료'])
    expect(rows[0].daysLeft).toBeLessThanOrEqual(10)
    expect(dojang(['expiring', '--days', '5', '--root', root], { env }).status).toBe(0)
    expect(dojang(['expiring', '--days', 'soon', '--root', root], { env }).status).toBe(EXIT.USAGE)
  })
})

describe('dojang scan from a scheduler', () => {
  it('one scan at a time per data folder: a second one exits with the conflict code and changes nothing', async () => {
    const release = await acquireScanLock(join(tmp.dir, 'data'))
    try {
      const r = dojang(['scan', '--root', root, '--json'], { env })
      expect(r.status, r.stderr).toBe(EXIT.CONFLICT)
      expect(r.stderr).toMatch(/Another Dojang scan is running/)
    } finally {
      await release()
    }
    expect(dojang(['scan', '--root', root, '--json'], { env }).status).toBe(0)
  })
})

describe('dojang copy destinations', () => {
  it('a destination that is neither a medium nor an existing folder is a usage error and writes nothing', async () => {
    const cwd = join(tmp.dir, 'cwd')
    await mkdir(cwd)
    for (const to of ['keychain:0123456789abcdef0123456789abcdef', 'usb-stick', join(tmp.dir, 'missing', 'NPKI'), join(tmp.dir, 'nowhere')]) {
      const r = dojang(['copy', folder, '--to', to, '--no-keychain'], { env, cwd })
      expect(r.status, `${to}: ${r.stderr}`).toBe(EXIT.USAGE)
      expect(r.stderr).toMatch(/Known media|keychain/)
    }
    expect(await readdir(cwd)).toEqual([])
    expect(await readdir(tmp.dir)).not.toContain('missing')
    expect(await readdir(tmp.dir)).not.toContain('nowhere')
  })

  it('--create makes a new NPKI folder; a drive top folder gets its NPKI sub-folder and says so', async () => {
    const fresh = join(tmp.dir, 'fresh')
    const created = dojang(['copy', folder, '--to', fresh, '--create', '--json'], { env })
    expect(created.status, created.stderr).toBe(0)
    expect(JSON.parse(created.stdout).location.startsWith(join(fresh, 'testsign', 'USER'))).toBe(true)

    const drive = join(tmp.dir, 'drive')
    await mkdir(drive)
    const r = dojang(['copy', folder, '--to', drive, '--json'], { env })
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).location.startsWith(join(drive, 'NPKI', 'testsign', 'USER'))).toBe(true)
    expect(r.stderr).toMatch(/NPKI folder/)
  })
})

describe('dojang copy / move / delete / trash / restore', () => {
  it('copies to another NPKI folder, refuses to overwrite, then deletes and restores', async () => {
    const usb = join(tmp.dir, 'usb')
    await mkdir(usb)
    const copied = dojang(['copy', folder, '--to', join(usb, 'NPKI'), '--json'], { env })
    expect(copied.status, copied.stderr).toBe(0)
    const dest = JSON.parse(copied.stdout).location as string
    expect(await snapshotDir(dest)).toEqual(await snapshotDir(folder))

    const again = dojang(['copy', folder, '--to', join(usb, 'NPKI')], { env })
    expect(again.status).toBe(EXIT.CONFLICT)

    const before = await snapshotDir(folder)
    const del = dojang(['delete', folder, '--json'], { env })
    expect(del.status, del.stderr).toBe(0)
    const { trashId } = JSON.parse(del.stdout)
    expect(await readdir(join(root, 'testsign', 'USER'))).toEqual([])

    const trash = JSON.parse(dojang(['trash', '--json'], { env }).stdout)
    expect(trash.map((t: { id: string }) => t.id)).toEqual([trashId])

    const restored = dojang(['restore', trashId], { env })
    expect(restored.status, restored.stderr).toBe(0)
    expect(await snapshotDir(folder)).toEqual(before)
    expect(JSON.parse(dojang(['trash', '--json'], { env }).stdout)).toEqual([])
  })

  it('trash empty deletes for good; older-than keeps recent entries', () => {
    expect(dojang(['delete', folder], { env }).status).toBe(0)
    expect(JSON.parse(dojang(['trash', 'empty', '--older-than-days', '1', '--json'], { env }).stdout)).toEqual({ removed: 0 })
    expect(JSON.parse(dojang(['trash', '--json'], { env }).stdout)).toHaveLength(1)
    expect(JSON.parse(dojang(['trash', 'empty', '--json'], { env }).stdout)).toEqual({ removed: 1 })
    expect(JSON.parse(dojang(['trash', '--json'], { env }).stdout)).toEqual([])
    expect(dojang(['trash', 'shred'], { env }).status).toBe(EXIT.USAGE)
  })

  it('move puts the source in the trash so it can be undone', async () => {
    const other = join(tmp.dir, 'other')
    await mkdir(other)
    const r = dojang(['move', folder, '--to', join(other, 'NPKI')], { env })
    expect(r.status, r.stderr).toBe(0)
    expect(await readdir(join(root, 'testsign', 'USER'))).toEqual([])
    expect(JSON.parse(dojang(['trash', '--json'], { env }).stdout)).toHaveLength(1)
  })

  it('deleting something that is not a certificate folder is refused', async () => {
    const r = dojang(['delete', join(tmp.dir, 'data')], { env })
    expect(r.status).not.toBe(0)
  })
})
