import { chmod, cp, lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DojangError } from '../../common/errors'
import { listBackups, restoreBackup, snapshotDir } from '../../main/core/fsx'
import { DiskStore } from '../../main/core/stores/diskStore'
import { copyHongFolder, fixture, HONG_DIR, tempDir } from '../support/fixtures'
import { bytesEqual, codeOf, errorOf, HONG_DN, HONG_SERIAL, hongBundle, runTs, writeFolder, YESSIGN_DN, yessignBundle } from './helpers'

let tmp: { dir: string; cleanup: () => Promise<void> }
let root: string
let dataDir: string
beforeEach(async () => {
  tmp = await tempDir()
  root = join(tmp.dir, 'NPKI')
  dataDir = join(tmp.dir, 'data')
})
afterEach(() => tmp.cleanup())

const yessignCert = () => fixture('public-samples', 'pypinksign', 'signCert.der')

describe('DiskStore.list', () => {
  it('finds certificate folders with any case of USER and signCert.der, skips junk, links and loops', async () => {
    const hong = await copyHongFolder(tmp.dir) // <root>/testsign/USER/<dn>
    const lower = join(root, 'signkorea', 'user', 'cn=이상만-274795,ou=hts,o=signkorea,c=kr')
    await writeFolder(lower, { 'signcert.der': yessignCert(), 'signpri.key': 'k' })
    const mixed = join(root, 'yessign', 'User', YESSIGN_DN)
    await writeFolder(mixed, { 'SignCert.der': yessignCert(), 'SignPri.key': 'k', CaPubs: 'c' })
    // Junk that must not be listed.
    await writeFile(join(root, 'README.txt'), 'hello')
    await writeFolder(join(root, 'KICA', 'USER', 'no-cert-here'), { 'signPri.key': 'k' })
    await mkdir(join(root, 'KICA', 'USER', 'dir-named-like-a-cert', 'signCert.der'), { recursive: true })
    await writeFolder(join(root, 'KICA', 'NOTUSER', 'cn=x'), { 'signCert.der': 'x' })
    await writeFolder(join(root, 'testsign', 'USER', '.new.dojang-0123456789ab.tmp'), { 'signCert.der': 'half' })
    // Links: a loop back to the root, a loop inside USER, a linked DN folder and a linked signCert.der.
    await symlink(root, join(root, 'loop'))
    await symlink('..', join(root, 'KICA', 'USER', 'up'))
    await symlink(hong, join(root, 'KICA', 'USER', 'linked-dn'))
    await writeFolder(join(root, 'KICA', 'USER', 'linked-file'), {})
    await symlink(join(hong, 'signCert.der'), join(root, 'KICA', 'USER', 'linked-file', 'signCert.der'))

    const store = new DiskStore(root, { label: 'My disk' })
    const copies = await store.list()
    expect(copies.map((c) => c.location)).toEqual([lower, hong, mixed].sort())
    const byLoc = new Map(copies.map((c) => [c.location, c]))
    expect(byLoc.get(hong)).toEqual({ medium: 'disk', storeId: root, location: hong, label: 'My disk', fileNames: ['kmCert.der', 'kmPri.key', 'signCert.der', 'signPri.key'] })
    expect(byLoc.get(lower)!.fileNames).toEqual(['signcert.der', 'signpri.key'])
    expect(byLoc.get(mixed)!.fileNames).toEqual(['CaPubs', 'SignCert.der', 'SignPri.key'])
  })

  it('a missing root lists nothing; a cancelled listing is CANCELLED', async () => {
    expect(await new DiskStore(join(tmp.dir, 'nowhere')).list()).toEqual([])
    await copyHongFolder(tmp.dir)
    const ctl = new AbortController()
    ctl.abort()
    expect(await codeOf(new DiskStore(root).list({ signal: ctl.signal }))).toBe('CANCELLED')
  })

  it('skips an unreadable folder and reports it (checked as an unprivileged user)', async () => {
    const hong = await copyHongFolder(tmp.dir)
    const locked = join(root, 'yessign', 'USER', YESSIGN_DN)
    await writeFolder(locked, { 'signCert.der': yessignCert() })
    const lockedCa = join(root, 'KICA')
    await writeFolder(join(lockedCa, 'USER', 'cn=z'), { 'signCert.der': yessignCert() })
    // Everything readable by "nobody" except the yessign DN folder and the KICA CA folder.
    for (const d of [tmp.dir, root, join(root, 'testsign'), join(root, 'testsign', 'USER'), hong, join(root, 'yessign'), join(root, 'yessign', 'USER')]) {
      await chmod(d, 0o755)
    }
    for (const f of await readdir(hong)) await chmod(join(hong, f), 0o644)
    await chmod(locked, 0o700)
    await chmod(lockedCa, 0o700)

    const code = `
      const { DiskStore } = require('./main/core/stores/diskStore.ts')
      const skipped = []
      const store = new DiskStore(${JSON.stringify(root)}, { onSkip: (p, e) => skipped.push([p, e.code]) })
      store.list().then(async (copies) => {
        let readCode = 'OK'
        try { await store.read(${JSON.stringify(locked)}) } catch (e) { readCode = e.code }
        console.log(JSON.stringify({ uid: process.getuid(), locations: copies.map((c) => c.location), skipped, readCode }))
      }, (e) => { console.log(JSON.stringify({ thrown: String(e && e.code) })); process.exitCode = 1 })
    `
    const r = runTs(code, { asUser: 65534 })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout.trim()) as { uid: number; locations: string[]; skipped: Array<[string, string]>; readCode: string }
    expect(out.uid).toBe(65534)
    expect(out.locations).toEqual([hong])
    expect(out.skipped).toEqual(expect.arrayContaining([[locked, 'PERMISSION_DENIED'], [lockedCa, 'PERMISSION_DENIED']]))
    expect(out.readCode).toBe('PERMISSION_DENIED')
  })
})

describe('DiskStore.read', () => {
  it('returns every regular file byte for byte, not links or sub-folders', async () => {
    const hong = await copyHongFolder(tmp.dir)
    await writeFile(join(hong, 'CaPubs'), 'capubs')
    await symlink('/etc/passwd', join(hong, 'evil-link'))
    await mkdir(join(hong, 'sub'))
    const bundle = await new DiskStore(root).read(hong)
    expect(bundle.files.map((f) => f.name)).toEqual(['CaPubs', 'kmCert.der', 'kmPri.key', 'signCert.der', 'signPri.key'])
    for (const f of bundle.files) expect(bytesEqual(f.data, new Uint8Array(await readFile(join(hong, f.name))))).toBe(true)
  })

  it('refuses places outside its layout, links, missing folders and oversized files with typed errors', async () => {
    const hong = await copyHongFolder(tmp.dir)
    const store = new DiskStore(root)
    expect(await codeOf(store.read(HONG_DIR))).toBe('INVALID_INPUT') // another root
    expect(await codeOf(store.read(join(root, 'testsign', 'USER')))).toBe('INVALID_INPUT')
    expect(await codeOf(store.read(join(root, 'testsign', 'USER', '..', '..', '..')))).toBe('INVALID_INPUT')
    expect(await codeOf(store.read(join(root, 'testsign', 'OTHER', HONG_DN)))).toBe('INVALID_INPUT')
    expect(await codeOf(store.read('relative/path'))).toBe('INVALID_INPUT')
    expect(await codeOf(store.read(join(root, 'testsign', 'USER', 'cn=gone')))).toBe('NOT_FOUND')
    await symlink(join(root, 'testsign'), join(root, 'alias'))
    expect(await codeOf(store.read(join(root, 'alias', 'USER', HONG_DN)))).toBe('INVALID_INPUT')
    await writeFolder(join(root, 'testsign', 'USER', 'cn=nocert'), { 'signPri.key': 'k' })
    expect(await codeOf(store.read(join(root, 'testsign', 'USER', 'cn=nocert')))).toBe('MISSING_FILE')
    await writeFile(join(hong, 'huge.bin'), new Uint8Array((1 << 20) + 1))
    expect(await codeOf(store.read(hong))).toBe('CORRUPT_FILE')
  })
})

describe('DiskStore.write', () => {
  it('creates <root>/testsign/USER/<dn>/ in an empty root with byte-identical private files', async () => {
    const bundle = await hongBundle()
    const store = new DiskStore(root, { medium: 'removable', label: 'USB (STICK)' })
    const ref = await store.write(bundle, { dataDir })
    const dir = join(root, 'testsign', 'USER', HONG_DN)
    expect(ref).toEqual({ medium: 'removable', storeId: root, location: dir, label: 'USB (STICK)' })
    expect((await readdir(dir)).sort()).toEqual(['kmCert.der', 'kmPri.key', 'signCert.der', 'signPri.key'])
    for (const f of bundle.files) {
      expect(bytesEqual(new Uint8Array(await readFile(join(dir, f.name))), f.data)).toBe(true)
      expect((await stat(join(dir, f.name))).mode & 0o777).toBe(0o600)
    }
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    // No staging folder or temp file is left, and the copy is listed.
    expect(await readdir(join(root, 'testsign', 'USER'))).toEqual([HONG_DN])
    expect((await store.list()).map((c) => c.location)).toEqual([dir])
    // A new folder replaces nothing, so it leaves no backup.
    expect(await listBackups(dataDir)).toEqual([])
  })

  it('reuses existing CA and USER spellings and keeps the bundle’s file names', async () => {
    await mkdir(join(root, 'YESSIGN', 'user'), { recursive: true })
    const ref = await new DiskStore(root).write(yessignBundle('SignCert.der'), { dataDir })
    expect(ref.location).toBe(join(root, 'YESSIGN', 'user', YESSIGN_DN))
    expect((await readdir(ref.location)).sort()).toEqual(['SignCert.der', 'signPri.key'])
    expect(await readdir(root)).toEqual(['YESSIGN'])
  })

  it('does not create the root when its volume is gone', async () => {
    const store = new DiskStore(join(tmp.dir, 'unplugged', 'NPKI'))
    expect(await codeOf(store.write(await hongBundle(), { dataDir }))).toBe('NOT_FOUND')
    expect(await readdir(tmp.dir)).toEqual([])
  })

  it('a folder for the same DN is a CONFLICT with the existing serial and validity, and nothing changes', async () => {
    const hong = await copyHongFolder(tmp.dir)
    const before = await snapshotDir(root)
    const err = await errorOf(new DiskStore(root).write(await hongBundle(), { dataDir }))
    expect(err.code).toBe('CONFLICT')
    expect(err.details).toMatchObject({
      location: hong,
      existingSerial: HONG_SERIAL,
      existingNotBefore: '2025-01-01T00:00:00.000Z',
      existingNotAfter: '2044-12-27T00:00:00.000Z',
      newSerial: HONG_SERIAL,
      sameCertificate: true,
    })
    expect(await snapshotDir(root)).toEqual(before)
    expect(await listBackups(dataDir)).toEqual([])
  })

  it('matches the DN folder across case and Unicode normalization (lowercased or NFD names from other tools)', async () => {
    const nfdLower = join(root, 'testsign', 'USER', HONG_DN.toLowerCase().normalize('NFD'))
    await cp(HONG_DIR, nfdLower, { recursive: true })
    const before = await snapshotDir(root)
    const err = await errorOf(new DiskStore(root).write(await hongBundle(), { dataDir }))
    expect(err.code).toBe('CONFLICT')
    expect(err.details.location).toBe(nfdLower)
    expect(await snapshotDir(root)).toEqual(before)
  })

  it('overwrite replaces the folder content, reuses on-disk spellings and keeps the old files in a backup', async () => {
    const hong = await copyHongFolder(tmp.dir)
    // The existing copy spells its certificate differently, has an extra file and an older key.
    const { rename } = await import('node:fs/promises')
    await rename(join(hong, 'signCert.der'), join(hong, 'SignCert.der'))
    await writeFile(join(hong, 'signPri.key'), 'old key bytes')
    await writeFile(join(hong, 'CaPubs'), 'old capubs')
    const oldSnapshot = await snapshotDir(hong)

    const bundle = await hongBundle()
    const ref = await new DiskStore(root).write(bundle, { dataDir, overwrite: true })
    expect(ref.location).toBe(hong)
    expect((await readdir(hong)).sort()).toEqual(['SignCert.der', 'kmCert.der', 'kmPri.key', 'signPri.key'])
    for (const f of bundle.files) {
      const onDisk = f.name === 'signCert.der' ? 'SignCert.der' : f.name
      expect(bytesEqual(new Uint8Array(await readFile(join(hong, onDisk))), f.data)).toBe(true)
    }
    const backups = await listBackups(dataDir)
    expect(backups).toHaveLength(1)
    expect(backups[0]!.intact).toBe(true)
    expect(backups[0]!.reason).toBe('write-certificate')
    // The backup really brings the old folder back.
    await restoreBackup(dataDir, backups[0]!.backupId)
    expect(await snapshotDir(hong)).toEqual(oldSnapshot)
  })

  it('a failure while writing a new folder leaves no folder behind', async () => {
    const bundle = await hongBundle()
    // Legal as a name, but its temporary name beside it is too long for the file system: the last write fails.
    bundle.files.push({ name: `${'x'.repeat(250)}.bin`, data: new Uint8Array([1]) })
    const err = await errorOf(new DiskStore(root).write(bundle, { dataDir }))
    expect(['IO_ERROR', 'INVALID_INPUT']).toContain(err.code)
    expect(await readdir(join(root, 'testsign', 'USER'))).toEqual([])
    expect(await new DiskStore(root).list()).toEqual([])
  })

  it('rejects bad bundles with typed errors before touching the disk', async () => {
    const store = new DiskStore(root)
    const hong = await hongBundle()
    const sign = hong.files.find((f) => f.name === 'signCert.der')!
    expect(await codeOf(store.write({ files: [] }, { dataDir }))).toBe('INVALID_INPUT')
    expect(await codeOf(store.write({ files: [sign, { name: '../escape', data: new Uint8Array(1) }] }, { dataDir }))).toBe('INVALID_INPUT')
    expect(await codeOf(store.write({ files: [sign, { name: 'SIGNCERT.DER', data: sign.data }] }, { dataDir }))).toBe('INVALID_INPUT')
    expect(await codeOf(store.write({ files: [{ name: 'signPri.key', data: new Uint8Array(1) }] }, { dataDir }))).toBe('MISSING_FILE')
    expect(await codeOf(store.write({ files: [{ name: 'signCert.der', data: new Uint8Array([0x30, 0x03, 1, 2, 3]) }] }, { dataDir }))).toBe('CORRUPT_FILE')
    expect(await codeOf(store.write({ files: [{ name: 'signCert.der', data: 'text' as unknown as Uint8Array }] }, { dataDir }))).toBe('INVALID_INPUT')
    expect(await readdir(tmp.dir)).toEqual([])
  })

  it('refuses to write through a link that has the CA folder’s name', async () => {
    await mkdir(join(tmp.dir, 'elsewhere'))
    await mkdir(root)
    await symlink(join(tmp.dir, 'elsewhere'), join(root, 'testsign'))
    expect(await codeOf(new DiskStore(root).write(await hongBundle(), { dataDir }))).toBe('CONFLICT')
    expect(await readdir(join(tmp.dir, 'elsewhere'))).toEqual([])
  })
})

describe('DiskStore.remove', () => {
  it('deletes the files (kept in a backup) and the empty folder', async () => {
    const hong = await copyHongFolder(tmp.dir)
    const before = await snapshotDir(hong)
    const store = new DiskStore(root)
    await store.remove(hong, { dataDir })
    expect(await lstat(hong).then(() => true, () => false)).toBe(false)
    expect(await store.list()).toEqual([])
    const [backup] = await listBackups(dataDir)
    expect(backup!.reason).toBe('remove-certificate')
    expect(backup!.files.map((f) => f.existed)).toEqual([true, true, true, true])
    await mkdir(hong)
    await restoreBackup(dataDir, backup!.backupId)
    expect(await snapshotDir(hong)).toEqual(before)
  })

  it('leaves what it cannot back up (a sub-folder) in place; a missing folder is NOT_FOUND', async () => {
    const hong = await copyHongFolder(tmp.dir)
    await writeFolder(join(hong, 'keep-me'), { 'note.txt': 'n' })
    const store = new DiskStore(root)
    await store.remove(hong, { dataDir })
    expect(await readdir(hong)).toEqual(['keep-me'])
    expect(await store.list()).toEqual([])
    expect(await codeOf(store.remove(join(root, 'testsign', 'USER', 'cn=gone'), { dataDir }))).toBe('NOT_FOUND')
    expect(await codeOf(store.remove(HONG_DIR, { dataDir }))).toBe('INVALID_INPUT')
  })
})

describe('DiskStore construction', () => {
  it('needs an absolute root', () => {
    expect(() => new DiskStore('NPKI')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }) as unknown as DojangError)
  })
})
