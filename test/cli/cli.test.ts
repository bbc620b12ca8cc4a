import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { snapshotDir } from '../../main/core/fsx'
import { EXIT } from '../../main/cli/exitCodes'
import { children, encodeTlv, readSingle, TAG } from '../../main/core/asn1/der'
import { decryptPrivateKey, encryptPrivateKey } from '../../main/core/npki/privateKey'
import { dojang } from '../support/cli'
import { copyHongFolder, FIXTURE_PASSWORD, FIXTURES, fixture, tempDir, VECTORS } from '../support/fixtures'
import { openssl } from '../support/openssl'

const NEW_PASSWORD = 'Dojang#2026pw'

let tmp: { dir: string; cleanup: () => Promise<void> }
let folder: string
let env: NodeJS.ProcessEnv
beforeEach(async () => {
  tmp = await tempDir()
  folder = await copyHongFolder(tmp.dir)
  env = { DOJANG_DATA_DIR: join(tmp.dir, 'data'), DBUS_SESSION_BUS_ADDRESS: '' }
})
afterEach(() => tmp.cleanup())

function expectNoSecret(r: { stdout: string; stderr: string }, ...secrets: string[]) {
  for (const s of secrets) {
    expect(r.stdout).not.toContain(s)
    expect(r.stderr).not.toContain(s)
  }
}

describe('dojang info', () => {
  it('prints the certificate fields as JSON', () => {
    const r = dojang(['info', folder, '--json'])
    expect(r.status).toBe(0)
    const info = JSON.parse(r.stdout)
    expect(info.certificate.name).toBe('홍길동')
    expect(info.certificate.policyOid).toBe('1.2.410.200005.1.1.4')
    expect(info.certificate.hasVid).toBe(true)
    expect(info.signKey.scheme).toContain('1.2.410.200004.1.15')
    expect(info.kmPair.certificate).not.toBeNull()
  })

  it('prints a readable summary in Korean and English', () => {
    const r = dojang(['info', folder])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('홍길동')
    expect(r.stdout).toMatch(/발급기관 Issuer/)
  })

  it('a folder without a certificate exits 7; a junk certificate exits 4', async () => {
    expect(dojang(['info', tmp.dir]).status).toBe(EXIT.NOT_FOUND)
    await writeFile(join(folder, 'signCert.der'), 'not a certificate')
    const r = dojang(['info', folder])
    expect(r.status).toBe(EXIT.CORRUPT_FILE)
    expect(r.stderr).toMatch(/signCert\.der/)
  })
})

describe('dojang list', () => {
  it('finds certificates under --root, case-insensitively', async () => {
    const { rename } = await import('node:fs/promises')
    await rename(join(tmp.dir, 'NPKI', 'testsign', 'USER'), join(tmp.dir, 'NPKI', 'testsign', 'user'))
    folder = folder.replace('/USER/', '/user/')
    await rename(join(folder, 'signCert.der'), join(folder, 'SignCert.der'))
    const r = dojang(['list', '--root', join(tmp.dir, 'NPKI'), '--json'], { env })
    expect(r.status).toBe(0)
    const rows = JSON.parse(r.stdout)
    expect(rows).toHaveLength(1)
    expect(rows[0].name).toBe('홍길동')
    expect(rows[0].copies.map((c: { location: string }) => c.location)).toEqual([folder])
    expect(rows[0].copies[0].files.signPri).toBe(true)
  })

  it('reports nothing found on stderr and keeps stdout for data', async () => {
    await mkdir(join(tmp.dir, 'empty'))
    const r = dojang(['list', '--root', join(tmp.dir, 'empty')], { env })
    expect(r.status).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/No certificates found/)
  })
})

describe('dojang check-password', () => {
  it('exit 0 for the right password, 3 for a wrong one, 4 for a corrupt key', async () => {
    expect(dojang(['check-password', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n` }).status).toBe(0)
    const wrong = dojang(['check-password', folder, '--password-stdin'], { input: 'Guess-Pa55word\n' })
    expect(wrong.status).toBe(EXIT.WRONG_PASSWORD)
    expect(wrong.stderr).toMatch(/wrong/i)
    expectNoSecret(wrong, 'Guess-Pa55word')
    const key = await readFile(join(folder, 'signPri.key'))
    key[1000]! ^= 0xff
    await writeFile(join(folder, 'signPri.key'), key)
    expect(dojang(['check-password', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n` }).status).toBe(EXIT.CORRUPT_FILE)
  })

  it('refuses to run without a password source instead of hanging', () => {
    const r = dojang(['check-password', folder])
    expect(r.status).toBe(EXIT.USAGE)
    expect(r.stderr).toMatch(/--password-stdin/)
  })

  it('has no way to pass a password as an argument', () => {
    expect(dojang(['check-password', folder, '--password', FIXTURE_PASSWORD]).status).toBe(EXIT.USAGE)
  })
})

describe('dojang change-password', () => {
  it('changes both keys; the old password stops working, the new one works', () => {
    const r = dojang(['change-password', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n${NEW_PASSWORD}\n`, env })
    expect(r.status, r.stderr).toBe(0)
    expectNoSecret(r, FIXTURE_PASSWORD, NEW_PASSWORD)
    expect(dojang(['check-password', folder, '--password-stdin'], { input: `${NEW_PASSWORD}\n` }).status).toBe(0)
    expect(dojang(['check-password', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n` }).status).toBe(EXIT.WRONG_PASSWORD)
  })

  it('refuses a weak password with exit 8 and per-rule feedback, unless --allow-weak', async () => {
    const before = await snapshotDir(folder)
    const r = dojang(['change-password', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n1234\n`, env })
    expect(r.status).toBe(EXIT.WEAK_PASSWORD)
    expect(r.stderr).toMatch(/NO {2}10자 이상 · at least 10 characters/)
    expect(await snapshotDir(folder)).toEqual(before)
    const weak = dojang(['change-password', folder, '--password-stdin', '--allow-weak'], { input: `${FIXTURE_PASSWORD}\n1234\n`, env })
    expect(weak.status, weak.stderr).toBe(0)
  })

  it('a wrong current password changes nothing (exit 3)', async () => {
    const before = await snapshotDir(folder)
    const r = dojang(['change-password', folder, '--password-stdin'], { input: `Wrong-Pa55word!\n${NEW_PASSWORD}\n`, env })
    expect(r.status).toBe(EXIT.WRONG_PASSWORD)
    expect(await snapshotDir(folder)).toEqual(before)
  })

  it('a missing new password line is a usage error and changes nothing', async () => {
    const before = await snapshotDir(folder)
    expect(dojang(['change-password', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n`, env }).status).toBe(EXIT.USAGE)
    expect(await snapshotDir(folder)).toEqual(before)
  })

  it('a read-only folder gives exit 10 and leaves every byte in place', async () => {
    const data = join(tmp.dir, 'data')
    await chmod(tmp.dir, 0o755)
    await rm(data, { recursive: true, force: true })
    // The unprivileged user may write Dojang's data folder but not the certificate folder.
    await mkdir(data, { mode: 0o777 })
    await chmod(data, 0o777)
    for (const d of [join(tmp.dir, 'NPKI'), join(tmp.dir, 'NPKI', 'testsign'), join(tmp.dir, 'NPKI', 'testsign', 'USER')]) await chmod(d, 0o755)
    await chmod(folder, 0o555)
    const before = await snapshotDir(folder)
    const r = dojang(['change-password', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n${NEW_PASSWORD}\n`, env, asUser: 65534 })
    expect(r.status, r.stderr).toBe(EXIT.FILE_SYSTEM)
    expect(r.stderr).toMatch(/permission|read-only/i)
    expect(await snapshotDir(folder)).toEqual(before)
    await chmod(folder, 0o755)
  })
})

describe('dojang verify-vid', () => {
  it('matches the fixture ID number (exit 0) and rejects another (exit 9)', () => {
    const ok = dojang(['verify-vid', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n${VECTORS.idn}\n` })
    expect(ok.status, ok.stderr).toBe(0)
    expectNoSecret(ok, VECTORS.idn, FIXTURE_PASSWORD)
    const no = dojang(['verify-vid', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n8001011234568\n` })
    expect(no.status).toBe(EXIT.VID_MISMATCH)
  })

  it('accepts the ID number with a dash', () => {
    const idn = `${VECTORS.idn.slice(0, 6)}-${VECTORS.idn.slice(6)}`
    expect(dojang(['verify-vid', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n${idn}\n` }).status).toBe(0)
  })

  it('a key without randomNum cannot be checked (exit 7)', async () => {
    const plain = decryptPrivateKey(fixture('variants', 'signPri_1.15_iter1024.key'), FIXTURE_PASSWORD)
    const withoutAttrs = stripAttributes(plain.pkcs8)
    await writeFile(join(folder, 'signPri.key'), encryptPrivateKey(withoutAttrs, FIXTURE_PASSWORD))
    expect(dojang(['verify-vid', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n${VECTORS.idn}\n` }).status).toBe(EXIT.NOT_FOUND)
  })
})

describe('dojang backups', () => {
  it('lists the backup of a password change, restores it (the old password works again) and empties the backups', () => {
    expect(dojang(['change-password', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n${NEW_PASSWORD}\n`, env }).status).toBe(0)
    const list = JSON.parse(dojang(['backups', '--json'], { env }).stdout)
    expect(list).toHaveLength(1)
    expect(list[0].reason).toBe('change-password')
    expect(list[0].files.map((f: string) => f.split('/').pop()).sort()).toEqual(['kmPri.key', 'signPri.key'])

    const restored = dojang(['backups', 'restore', list[0].id], { env })
    expect(restored.status, restored.stderr).toBe(0)
    expect(dojang(['check-password', folder, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n` }).status).toBe(0)
    // The restore is itself a backup, so it can be undone too.
    expect(JSON.parse(dojang(['backups', 'list', '--json'], { env }).stdout)).toHaveLength(2)

    const emptied = dojang(['backups', 'empty', '--json'], { env })
    expect(JSON.parse(emptied.stdout)).toEqual({ removed: 2 })
    expect(JSON.parse(dojang(['backups', '--json'], { env }).stdout)).toEqual([])
    expect(dojang(['backups', 'frobnicate'], { env }).status).toBe(EXIT.USAGE)
  })
})

describe('dojang export-pfx / import-pfx', () => {
  it('exports a bank-style PFX that OpenSSL opens with randomNum, and imports it as a new NPKI folder', async () => {
    const pfx = join(tmp.dir, 'hong.pfx')
    const ex = dojang(['export-pfx', folder, '--out', pfx, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\nPfx-Pa55word!\n`, env })
    expect(ex.status, ex.stderr).toBe(0)
    expectNoSecret(ex, FIXTURE_PASSWORD, 'Pfx-Pa55word!')
    const info = openssl(['pkcs12', '-in', pfx, '-info', '-nodes', '-passin', 'pass:Pfx-Pa55word!'], { legacy: true }).toString()
    expect(info).toContain('1.2.410.200004.10.1.1.3')

    const again = dojang(['export-pfx', folder, '--out', pfx, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\nPfx-Pa55word!\n`, env })
    expect(again.status).toBe(EXIT.CONFLICT)

    const dest = join(tmp.dir, 'usb')
    await mkdir(dest)
    const im = dojang(['import-pfx', pfx, '--to', join(dest, 'NPKI'), '--password-stdin', '--json'], { input: `Pfx-Pa55word!\n${NEW_PASSWORD}\n`, env })
    expect(im.status, im.stderr).toBe(0)
    const { location } = JSON.parse(im.stdout)
    expect(location.startsWith(join(dest, 'NPKI'))).toBe(true)
    expect(dojang(['check-password', location, '--password-stdin'], { input: `${NEW_PASSWORD}\n` }).status).toBe(0)
    expect(dojang(['verify-vid', location, '--password-stdin'], { input: `${NEW_PASSWORD}\n${VECTORS.idn}\n` }).status).toBe(0)
  })

  it('a wrong PFX password exits 3 and writes nothing', async () => {
    const dest = join(tmp.dir, 'usb')
    await mkdir(dest)
    const r = dojang(['import-pfx', join(FIXTURES, 'pfx', 'bankstyle_3des_randomnum.pfx'), '--to', join(dest, 'NPKI'), '--password-stdin'], { input: `nope\n${NEW_PASSWORD}\n`, env })
    expect(r.status).toBe(EXIT.WRONG_PASSWORD)
    expect(await readdir(dest)).toEqual([])
  })

  it('an OpenSSL PFX without randomNum imports with a warning', async () => {
    const dest = join(tmp.dir, 'usb')
    await mkdir(dest)
    const r = dojang(['import-pfx', join(FIXTURES, 'pfx', 'openssl3_default_aes256.pfx'), '--to', join(dest, 'NPKI'), '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n${NEW_PASSWORD}\n`, env })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/randomNum/)
  })
})

describe('usage', () => {
  it('unknown commands and options exit 2; help exits 0', () => {
    expect(dojang(['frobnicate']).status).toBe(EXIT.USAGE)
    expect(dojang(['info', folder, '--bogus']).status).toBe(EXIT.USAGE)
    expect(dojang(['info']).status).toBe(EXIT.USAGE)
    const help = dojang(['help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('check-password')
  })
})

/** PrivateKeyInfo without its [0] attribute set, as OpenSSL would export it. */
function stripAttributes(pkcs8: Uint8Array): Uint8Array {
  return encodeTlv(TAG.SEQUENCE, ...children(readSingle(pkcs8)).filter((t) => t.tag !== TAG.CONTEXT_0).map((t) => t.bytes))
}
