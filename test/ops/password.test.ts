import { randomBytes } from 'node:crypto'
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DojangError } from '../../common/errors'
import { listBackups, snapshotDir } from '../../main/core/fsx'
import { decryptPrivateKey, encryptPrivateKey, parseEncryptedKeyFile } from '../../main/core/npki/privateKey'
import { changePassword, checkPassword } from '../../main/core/ops/password'
import { codeOf } from '../support/errors'
import { copyHongFolder, FIXTURE_PASSWORD, fixture, tempDir } from '../support/fixtures'

const NEW_PASSWORD = 'Dojang#2026pw'

let tmp: { dir: string; cleanup: () => Promise<void> }
let folder: string
let dataDir: string
beforeEach(async () => {
  tmp = await tempDir()
  folder = await copyHongFolder(tmp.dir)
  dataDir = join(tmp.dir, 'data')
})
afterEach(() => tmp.cleanup())

describe('checkPassword', () => {
  it('reports both pairs for the right password', async () => {
    const r = await checkPassword(folder, FIXTURE_PASSWORD)
    expect(r.sign.file).toBe('signPri.key')
    expect(r.sign.hasRandomNum).toBe(true)
    expect(r.km?.file).toBe('kmPri.key')
    expect(r.km?.hasRandomNum).toBe(false)
  })

  it('a wrong password is WRONG_PASSWORD', async () => {
    expect(await codeOf(checkPassword(folder, 'not-the-password'))).toBe('WRONG_PASSWORD')
  })
})

describe('changePassword', () => {
  it('rewrites sign and km keys together, keeps the exact PKCS#8 and a backup', async () => {
    const before = await snapshotDir(folder)
    const oldSign = new Uint8Array(await readFile(join(folder, 'signPri.key')))
    const oldKm = new Uint8Array(await readFile(join(folder, 'kmPri.key')))
    const result = await changePassword(folder, FIXTURE_PASSWORD, NEW_PASSWORD, { dataDir })
    expect(result.changed).toEqual(['signPri.key', 'kmPri.key'])

    const newSign = new Uint8Array(await readFile(join(folder, 'signPri.key')))
    const newKm = new Uint8Array(await readFile(join(folder, 'kmPri.key')))
    expect(Buffer.from(decryptPrivateKey(newSign, NEW_PASSWORD).pkcs8).equals(Buffer.from(fixture('plain', 'signPri.pkcs8.der')))).toBe(true)
    expect(Buffer.from(decryptPrivateKey(newKm, NEW_PASSWORD).pkcs8).equals(Buffer.from(fixture('plain', 'kmPri.pkcs8.der')))).toBe(true)
    expect(() => decryptPrivateKey(newSign, FIXTURE_PASSWORD)).toThrow(/wrong/i)
    expect((await checkPassword(folder, NEW_PASSWORD)).km).toBeDefined()

    // Certificates untouched, no stray files in the NPKI folder.
    const after = await snapshotDir(folder)
    expect(after.get('signCert.der')).toBe(before.get('signCert.der'))
    expect(after.get('kmCert.der')).toBe(before.get('kmCert.der'))
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort())

    // The old files are in the backup, byte for byte.
    const backups = await listBackups(dataDir)
    expect(backups.map((b) => b.backupId)).toContain(result.backupId)
    const backupFiles = await readdir(join(dataDir, 'backups', result.backupId), { recursive: true })
    const contents = await Promise.all(
      backupFiles.filter((f) => !f.endsWith('manifest.json')).map(async (f) => {
        try {
          return new Uint8Array(await readFile(join(dataDir, 'backups', result.backupId, f)))
        } catch {
          return new Uint8Array(0)
        }
      }),
    )
    const hex = contents.map((c) => Buffer.from(c).toString('hex'))
    expect(hex).toContain(Buffer.from(oldSign).toString('hex'))
    expect(hex).toContain(Buffer.from(oldKm).toString('hex'))
  })

  it('keeps the trailing bytes of a TradeSign-style key and the on-disk spelling of names', async () => {
    await writeFile(join(folder, 'signPri.key'), fixture('variants', 'signPri_1.15_trailing46.key'))
    await rename(join(folder, 'signPri.key'), join(folder, 'SignPri.key'))
    await rename(join(folder, 'signCert.der'), join(folder, 'SignCert.der'))
    const trailing = parseEncryptedKeyFile(new Uint8Array(await readFile(join(folder, 'SignPri.key')))).trailing
    expect(trailing.length).toBe(46)
    await changePassword(folder, FIXTURE_PASSWORD, NEW_PASSWORD, { dataDir })
    const names = (await readdir(folder)).sort()
    expect(names).toEqual(['SignCert.der', 'SignPri.key', 'kmCert.der', 'kmPri.key'])
    const rewritten = decryptPrivateKey(new Uint8Array(await readFile(join(folder, 'SignPri.key'))), NEW_PASSWORD)
    expect(Buffer.from(rewritten.file.trailing).equals(Buffer.from(trailing))).toBe(true)
  })

  it('a km key with its own password: refused as a whole, then accepted with kmPassword', async () => {
    const kmPlain = decryptPrivateKey(new Uint8Array(await readFile(join(folder, 'kmPri.key'))), FIXTURE_PASSWORD).pkcs8
    await writeFile(join(folder, 'kmPri.key'), encryptPrivateKey(kmPlain, 'Km-Other-Pa55'))
    const before = await snapshotDir(folder)
    try {
      await changePassword(folder, FIXTURE_PASSWORD, NEW_PASSWORD, { dataDir })
      expect.unreachable()
    } catch (e) {
      expect((e as DojangError).code).toBe('WRONG_PASSWORD')
      expect((e as DojangError).details.kmPasswordDiffers).toBe(true)
    }
    expect(await snapshotDir(folder)).toEqual(before)
    await changePassword(folder, FIXTURE_PASSWORD, NEW_PASSWORD, { dataDir, kmPassword: 'Km-Other-Pa55' })
    expect((await checkPassword(folder, NEW_PASSWORD)).km?.file).toBe('kmPri.key')
  })

  it('refuses a weak new password unless allowed', async () => {
    const before = await snapshotDir(folder)
    expect(await codeOf(changePassword(folder, FIXTURE_PASSWORD, 'short1!', { dataDir }))).toBe('WEAK_PASSWORD')
    expect(await snapshotDir(folder)).toEqual(before)
    await changePassword(folder, FIXTURE_PASSWORD, 'short1!', { dataDir, allowWeak: true })
    expect((await checkPassword(folder, 'short1!')).sign.file).toBe('signPri.key')
  })

  it('works on a folder without a km pair', async () => {
    await rm(join(folder, 'kmPri.key'))
    await rm(join(folder, 'kmCert.der'))
    const r = await changePassword(folder, FIXTURE_PASSWORD, NEW_PASSWORD, { dataDir })
    expect(r.changed).toEqual(['signPri.key'])
  })
})

describe('bad input changes nothing and gives a typed error', () => {
  const good = {
    signCert: fixture('NPKI', 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr', 'signCert.der'),
    signPri: fixture('NPKI', 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr', 'signPri.key'),
    kmPri: fixture('NPKI', 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr', 'kmPri.key'),
  }
  const flip = (b: Uint8Array, at: number) => {
    const c = Uint8Array.from(b)
    c[at]! ^= 0x10
    return c
  }
  const cases: { name: string; file: string; data: Uint8Array | null; expected: string }[] = [
    { name: 'wrong password', file: 'signPri.key', data: good.signPri, expected: 'WRONG_PASSWORD' },
    { name: 'empty signPri.key', file: 'signPri.key', data: new Uint8Array(0), expected: 'CORRUPT_FILE' },
    { name: 'truncated signPri.key', file: 'signPri.key', data: good.signPri.subarray(0, 700), expected: 'CORRUPT_FILE' },
    { name: 'bit-flipped signPri.key body', file: 'signPri.key', data: flip(good.signPri, 900), expected: 'CORRUPT_FILE' },
    { name: 'missing signPri.key', file: 'signPri.key', data: null, expected: 'MISSING_FILE' },
    { name: 'signPri.key of another certificate (the km key)', file: 'signPri.key', data: good.kmPri, expected: 'KEY_MISMATCH' },
    { name: 'signCert.der that is not a certificate', file: 'signCert.der', data: new TextEncoder().encode('scan of my security card'), expected: 'CORRUPT_FILE' },
    { name: 'empty signCert.der', file: 'signCert.der', data: new Uint8Array(0), expected: 'CORRUPT_FILE' },
    { name: 'truncated signCert.der', file: 'signCert.der', data: good.signCert.subarray(0, 300), expected: 'CORRUPT_FILE' },
    { name: 'missing signCert.der', file: 'signCert.der', data: null, expected: 'MISSING_FILE' },
    { name: 'random kmPri.key', file: 'kmPri.key', data: Uint8Array.from(randomBytes(1300)), expected: 'CORRUPT_FILE' },
  ]
  it.each(cases)('$name → $expected', async ({ name, file, data, expected }) => {
    if (data === null) await rm(join(folder, file))
    else await writeFile(join(folder, file), data)
    const before = await snapshotDir(folder)
    const password = name === 'wrong password' ? 'Wrong-Pa55word!' : FIXTURE_PASSWORD
    expect(await codeOf(changePassword(folder, password, NEW_PASSWORD, { dataDir }))).toBe(expected)
    expect(await codeOf(checkPassword(folder, password))).toBe(expected)
    expect(await snapshotDir(folder)).toEqual(before)
  })

  it('a folder that does not exist is NOT_FOUND', async () => {
    expect(await codeOf(changePassword(join(tmp.dir, 'nope'), FIXTURE_PASSWORD, NEW_PASSWORD, { dataDir }))).toBe('NOT_FOUND')
  })
})
