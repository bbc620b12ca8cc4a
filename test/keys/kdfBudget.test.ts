/**
 * Issue 11 defect 2: a hostile PFX or key file cannot make Dojang derive keys for minutes. Every file has a total
 * work budget (iterations × output blocks over all its derivations); beyond it the file is refused with
 * UNSUPPORTED_ALGORITHM (reason kdf-work-limit) before the derivation that would exceed it starts. The figures
 * asserted are work units counted by the budget, never durations.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DojangError, isDojangError } from '../../common/errors'
import { encodeOid, encodeSmallInteger, encodeTlv, TAG } from '../../main/core/asn1/der'
import { pkcs12Password } from '../../main/core/crypto/pkcs12kdf'
import { MAX_KDF_WORK_PER_FILE } from '../../main/core/crypto/workBudget'
import { importPfx } from '../../main/core/npki/pfx'
import { OID } from '../../main/core/npki/pfx/oids'
import { encryptedPrivateKeyInfo } from '../../main/core/npki/pfx/pbe'
import { dataContentInfo, pfxWithMac, safeBag, safeContents } from '../../main/core/npki/pfx/structure'
import { decryptPrivateKey } from '../../main/core/npki/privateKey'
import { exitCodeFor, EXIT } from '../../main/cli/exitCodes'
import { fixture, FIXTURE_PASSWORD } from '../support/fixtures'
import { hostileMacPfx } from './hostile'

const HONG = ['NPKI', 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'] as const

function refusal(fn: () => unknown): DojangError {
  try {
    fn()
  } catch (e) {
    if (isDojangError(e)) return e
    throw e
  }
  throw new Error('expected a refusal')
}

/** pbeWithSHAAnd3-KeyTripleDES-CBC parameters with junk ciphertext: a key bag that asks for `iterations`. */
function tripleDesBag(iterations: number): Uint8Array {
  const algId = encodeTlv(TAG.SEQUENCE, encodeOid(OID.pbeSha1TripleDes), encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.OCTET_STRING, randomBytes(8)), encodeSmallInteger(iterations)))
  return safeBag(OID.pkcs8ShroudedKeyBag, encryptedPrivateKeyInfo({ algId, ciphertext: randomBytes(32) }))
}

/** PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) parameters with junk ciphertext. */
function pbes2Bag(iterations: number): Uint8Array {
  const kdf = encodeTlv(
    TAG.SEQUENCE,
    encodeOid(OID.pbkdf2),
    encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.OCTET_STRING, randomBytes(8)), encodeSmallInteger(iterations), encodeTlv(TAG.SEQUENCE, encodeOid(OID.hmacWithSha256), encodeTlv(TAG.NULL))),
  )
  const enc = encodeTlv(TAG.SEQUENCE, encodeOid(OID.aes256Cbc), encodeTlv(TAG.OCTET_STRING, randomBytes(16)))
  const algId = encodeTlv(TAG.SEQUENCE, encodeOid(OID.pbes2), encodeTlv(TAG.SEQUENCE, kdf, enc))
  return safeBag(OID.pkcs8ShroudedKeyBag, encryptedPrivateKeyInfo({ algId, ciphertext: randomBytes(32) }))
}

/** A PFX with a genuine MAC (2048 iterations) around the given bags. */
function pfxWithBags(bags: Uint8Array[], password: string): Uint8Array {
  const authSafe = safeContents([dataContentInfo(safeContents(bags))])
  return pfxWithMac(authSafe, { hash: 'sha1', bmpPassword: pkcs12Password(password), salt: randomBytes(8), iterations: 2048 })
}

function expectWorkLimit(e: DojangError): void {
  expect(e.code).toBe('UNSUPPORTED_ALGORITHM')
  expect(e.details.reason).toBe('kdf-work-limit')
  expect(e.details.limit).toBe(MAX_KDF_WORK_PER_FILE)
  expect(Number(e.details.requested)).toBeGreaterThan(MAX_KDF_WORK_PER_FILE)
  expect(Number(e.details.spent)).toBeLessThanOrEqual(MAX_KDF_WORK_PER_FILE)
  // Not a usage error, not "damaged": exit code 5 with a message that says why.
  expect(exitCodeFor(e.code)).toBe(EXIT.UNSUPPORTED_ALGORITHM)
  expect(e.message).toMatch(/more password-derivation work than any certificate software writes/)
}

describe('the KDF work budget per file', () => {
  it('refuses a PFX of at most 112 bytes whose MAC asks for 10,000,000 iterations before deriving anything', () => {
    const pfx = hostileMacPfx(10_000_000)
    expect(pfx.length).toBeLessThanOrEqual(112)
    const e = refusal(() => importPfx(pfx, 'any password'))
    expectWorkLimit(e)
    expect(e.details.spent).toBe(0)
    expect(e.details.requested).toBe(10_000_000)
  })

  it('refuses 8 key bags at 1,000,000 iterations after the MAC, before the first bag is derived', () => {
    const password = 'pfx-password'
    const pfx = pfxWithBags(Array.from({ length: 8 }, () => tripleDesBag(1_000_000)), password)
    const e = refusal(() => importPfx(pfx, password))
    expectWorkLimit(e)
    expect(e.details.spent).toBe(2048) // the MAC only
  })

  it('refuses a file of many cheap bags once their sum reaches the limit (they cannot add up to days)', () => {
    const password = 'pfx-password'
    const bags = Array.from({ length: 1200 }, () => pbes2Bag(2048))
    const pfx = pfxWithBags(bags, password)
    expect(pfx.length).toBeLessThan(1 << 20)
    const e = refusal(() => importPfx(pfx, password))
    expectWorkLimit(e)
    // Refused at the first bag that would not fit: the work done is the MAC plus as many bags as fit.
    expect(e.details.spent).toBe(2048 + Math.floor((MAX_KDF_WORK_PER_FILE - 2048) / 2048) * 2048)
  })

  it('refuses a key file whose PBKDF1 asks for more than the budget, with spent 0', () => {
    const file = encodeTlv(
      TAG.SEQUENCE,
      encodeTlv(TAG.SEQUENCE, encodeOid('1.2.410.200004.1.15'), encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.OCTET_STRING, randomBytes(8)), encodeSmallInteger(5_000_000))),
      encodeTlv(TAG.OCTET_STRING, randomBytes(1216)),
    )
    const e = refusal(() => decryptPrivateKey(file, FIXTURE_PASSWORD, { label: 'signPri.key' }))
    expectWorkLimit(e)
    expect(e.details.spent).toBe(0)
    expect(e.details.file).toBe('signPri.key')
  })

  it('real files stay far below the limit: the fixtures open as before', () => {
    expect(decryptPrivateKey(fixture(...HONG, 'signPri.key'), FIXTURE_PASSWORD).pkcs8.length).toBeGreaterThan(0)
    expect(decryptPrivateKey(fixture(...HONG, 'kmPri.key'), FIXTURE_PASSWORD).pkcs8.length).toBeGreaterThan(0)
  })
})

