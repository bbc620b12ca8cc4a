import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { toHex } from '../../main/core/asn1/der'
import { listBackups } from '../../main/core/fsx'
import { parsePrivateKeyInfo } from '../../main/core/npki/pkcs8'
import { importPfx } from '../../main/core/npki/pfx'
import { decryptPrivateKey, parseEncryptedKeyFile } from '../../main/core/npki/privateKey'
import { exportFolderToPfx, importPfxToRoot } from '../../main/core/ops/pfxFile'
import { codeOf } from '../support/errors'
import { copyHongFolder, FIXTURE_PASSWORD, fixture, PYPINKSIGN_PASSWORD, tempDir } from '../support/fixtures'
import { hong, opensslInfo, pypinksign, randomPassword, RANDOM_NUM_OID } from './helpers'

const NEW_PASSWORD = 'Dojang#2026pw'
const DN = 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'

let tmp: { dir: string; cleanup: () => Promise<void> }
let root: string
let dataDir: string
beforeEach(async () => {
  tmp = await tempDir('dojang-pfx-ops-')
  root = join(tmp.dir, 'NPKI')
  dataDir = join(tmp.dir, 'data')
})
afterEach(() => tmp.cleanup())

describe('exportFolderToPfx', () => {
  it('writes a bank PFX that OpenSSL opens and that holds the folder key byte for byte', async () => {
    const folder = await copyHongFolder(join(tmp.dir, 'src'))
    const out = join(tmp.dir, 'hong.pfx')
    const pfxPassword = randomPassword()
    const r = await exportFolderToPfx(folder, FIXTURE_PASSWORD, pfxPassword, { profile: 'bank', out })
    expect(r).toEqual({ out, keys: 1, hasRandomNum: true })
    const bytes = new Uint8Array(await readFile(out))
    expect(toHex(importPfx(bytes, pfxPassword).pairs[0]!.pkcs8)).toBe(toHex(hong.signPkcs8()))
    expect(opensslInfo(bytes, pfxPassword, true)).toContain(RANDOM_NUM_OID)
    if (process.platform !== 'win32') expect((await stat(out)).mode & 0o777).toBe(0o600)
  })

  it('exports the km pair on request (modern profile)', async () => {
    const folder = await copyHongFolder(join(tmp.dir, 'src'))
    const out = join(tmp.dir, 'hong-km.p12')
    const pfxPassword = randomPassword()
    const r = await exportFolderToPfx(folder, FIXTURE_PASSWORD, pfxPassword, { profile: 'modern', out, includeKm: true })
    expect(r.keys).toBe(2)
    const back = importPfx(new Uint8Array(await readFile(out)), pfxPassword)
    expect(back.pairs.map((p) => p.role)).toEqual(['sign', 'km'])
    expect(toHex(back.pairs[1]!.pkcs8)).toBe(toHex(hong.kmPkcs8()))
  })

  it('refuses to overwrite an existing file unless asked, and writes nothing on a wrong password', async () => {
    const folder = await copyHongFolder(join(tmp.dir, 'src'))
    const out = join(tmp.dir, 'exists.pfx')
    await writeFile(out, 'keep me')
    expect(await codeOf(exportFolderToPfx(folder, FIXTURE_PASSWORD, 'pw-1', { profile: 'bank', out }))).toBe('CONFLICT')
    expect(await readFile(out, 'utf8')).toBe('keep me')
    await exportFolderToPfx(folder, FIXTURE_PASSWORD, 'pw-1', { profile: 'bank', out, overwrite: true })
    expect(importPfx(new Uint8Array(await readFile(out)), 'pw-1').pairs).toHaveLength(1)

    const other = join(tmp.dir, 'never.pfx')
    expect(await codeOf(exportFolderToPfx(folder, 'wrong password', 'pw-1', { profile: 'bank', out: other }))).toBe('WRONG_PASSWORD')
    await expect(stat(other)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('MISSING_FILE when the folder has no key, or no km pair but includeKm', async () => {
    const folder = await copyHongFolder(join(tmp.dir, 'src'))
    await rm(join(folder, 'kmPri.key'))
    expect(await codeOf(exportFolderToPfx(folder, FIXTURE_PASSWORD, 'pw', { profile: 'bank', out: join(tmp.dir, 'a.pfx'), includeKm: true }))).toBe('MISSING_FILE')
    await rm(join(folder, 'signPri.key'))
    expect(await codeOf(exportFolderToPfx(folder, FIXTURE_PASSWORD, 'pw', { profile: 'bank', out: join(tmp.dir, 'b.pfx') }))).toBe('MISSING_FILE')
  })
})

describe('importPfxToRoot', () => {
  it('writes <root>/<issuer O>/USER/<DN>/ whose key opens with the new password to the PFX key, randomNum kept', async () => {
    const r = await importPfxToRoot(fixture('pfx', 'bankstyle_3des_randomnum.pfx'), FIXTURE_PASSWORD, NEW_PASSWORD, { root, dataDir })
    expect(r.dir).toBe(join(root, 'testsign', 'USER', DN))
    expect(r.warnings).toEqual([])
    expect((await readdir(r.dir)).sort()).toEqual(['signCert.der', 'signPri.key'])
    const keyFile = new Uint8Array(await readFile(join(r.dir, 'signPri.key')))
    expect(parseEncryptedKeyFile(keyFile).scheme).toMatchObject({ kind: 'npki-pbkdf1-seed', iterations: 2048 })
    const k = decryptPrivateKey(keyFile, NEW_PASSWORD)
    expect(toHex(k.pkcs8)).toBe(toHex(hong.signPkcs8()))
    expect(toHex(new Uint8Array(await readFile(join(r.dir, 'signCert.der'))))).toBe(toHex(hong.signCert()))
    // No staging folder is left beside the new one.
    expect(await readdir(join(root, 'testsign', 'USER'))).toEqual([DN])
  })

  it('keeps randomNum from the PyPinkSign sample under its issuer folder', async () => {
    const r = await importPfxToRoot(fixture('public-samples', 'pypinksign', 'sample.pfx'), PYPINKSIGN_PASSWORD, NEW_PASSWORD, { root, dataDir })
    expect(r.dir.startsWith(join(root, 'yessign', 'USER'))).toBe(true)
    expect(r.warnings).toEqual([])
    const k = decryptPrivateKey(new Uint8Array(await readFile(join(r.dir, 'signPri.key'))), NEW_PASSWORD)
    expect(toHex(k.pkcs8)).toBe(toHex(pypinksign.pkcs8()))
  })

  it('warns NO_RANDOM_NUM for the OpenSSL 3 PFX', async () => {
    const r = await importPfxToRoot(fixture('pfx', 'openssl3_default_aes256.pfx'), FIXTURE_PASSWORD, NEW_PASSWORD, { root, dataDir })
    expect(r.warnings).toEqual(['NO_RANDOM_NUM'])
    const k = decryptPrivateKey(new Uint8Array(await readFile(join(r.dir, 'signPri.key'))), NEW_PASSWORD)
    expect(parsePrivateKeyInfo(k.pkcs8).randomNum).toBeUndefined()
  })

  it('writes the km pair too, and a folder export → import round trip is byte-exact', async () => {
    const folder = await copyHongFolder(join(tmp.dir, 'src'))
    const out = join(tmp.dir, 'both.pfx')
    const pfxPassword = randomPassword()
    await exportFolderToPfx(folder, FIXTURE_PASSWORD, pfxPassword, { profile: 'bank', out, includeKm: true })
    const r = await importPfxToRoot(new Uint8Array(await readFile(out)), pfxPassword, NEW_PASSWORD, { root, dataDir })
    expect((await readdir(r.dir)).sort()).toEqual(['kmCert.der', 'kmPri.key', 'signCert.der', 'signPri.key'])
    const km = decryptPrivateKey(new Uint8Array(await readFile(join(r.dir, 'kmPri.key'))), NEW_PASSWORD)
    expect(toHex(km.pkcs8)).toBe(toHex(hong.kmPkcs8()))
    expect(toHex(new Uint8Array(await readFile(join(r.dir, 'kmCert.der'))))).toBe(toHex(hong.kmCert()))
  })

  it('reuses an existing CA and USER folder spelled differently', async () => {
    await mkdir(join(root, 'TESTSIGN', 'user'), { recursive: true })
    const r = await importPfxToRoot(fixture('pfx', 'bankstyle_3des_randomnum.pfx'), FIXTURE_PASSWORD, NEW_PASSWORD, { root, dataDir })
    expect(r.dir).toBe(join(root, 'TESTSIGN', 'user', DN))
    expect(await readdir(root)).toEqual(['TESTSIGN'])
  })

  it('CONFLICT when the certificate folder exists; overwrite replaces it and keeps a backup', async () => {
    const pfx = fixture('pfx', 'bankstyle_3des_randomnum.pfx')
    const first = await importPfxToRoot(pfx, FIXTURE_PASSWORD, NEW_PASSWORD, { root, dataDir })
    const before = await readFile(join(first.dir, 'signPri.key'))
    expect(await codeOf(importPfxToRoot(pfx, FIXTURE_PASSWORD, 'Other#2026pw', { root, dataDir }))).toBe('CONFLICT')
    expect(await readFile(join(first.dir, 'signPri.key'))).toEqual(before)

    const second = await importPfxToRoot(pfx, FIXTURE_PASSWORD, 'Other#2026pw', { root, dataDir, overwrite: true })
    expect(second.dir).toBe(first.dir)
    expect(toHex(decryptPrivateKey(new Uint8Array(await readFile(join(second.dir, 'signPri.key'))), 'Other#2026pw').pkcs8)).toBe(toHex(hong.signPkcs8()))
    expect((await listBackups(dataDir)).length).toBeGreaterThan(0)
  })

  it('passes PFX errors through and checks the new password', async () => {
    const pfx = fixture('pfx', 'bankstyle_3des_randomnum.pfx')
    expect(await codeOf(importPfxToRoot(pfx, 'wrong', NEW_PASSWORD, { root, dataDir }))).toBe('WRONG_PASSWORD')
    expect(await codeOf(importPfxToRoot(pfx, FIXTURE_PASSWORD, 'weak', { root, dataDir }))).toBe('WEAK_PASSWORD')
    expect(await codeOf(importPfxToRoot(pfx, FIXTURE_PASSWORD, 'weak', { root, dataDir, allowWeak: true }))).toBe('OK')
    expect(await codeOf(importPfxToRoot(hong.signCert(), FIXTURE_PASSWORD, NEW_PASSWORD, { root: join(tmp.dir, 'r2'), dataDir }))).toBe('CORRUPT_FILE')
  })
})
