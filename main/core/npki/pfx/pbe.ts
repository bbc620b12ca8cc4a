/**
 * Password-based encryption inside PFX files: the PKCS#12 schemes (RFC 7292 Appendix C: SHA-1 + PKCS#12 KDF +
 * Triple-DES or RC2) and PBES2 (RFC 8018, as OpenSSL 3 writes it). PBES2 parameters are read by the NPKI key-file
 * parser, so that one PBES2 reader serves both; that also lets a PFX carry an NPKI-scheme (SEED) key bag.
 *
 * Passwords: the PKCS#12 schemes and the MAC take the BMPString form (pkcs12Password); PBES2 takes UTF-8 bytes,
 * as OpenSSL 3 does (CP949 is tried as well for non-ASCII text, like NPKI key files).
 */
import { DojangError } from '../../../../common/errors'
import { children, DerError, encodeOid, encodeSmallInteger, encodeTlv, expectTag, readOid, readSmallInteger, TAG, type Tlv } from '../../asn1/der'
import { cbcDecryptNoUnpad, cbcEncrypt, keyLengthOf, PaddingError, strictUnpad } from '../../crypto/cbc'
import { npkiSeedKeyIv, pbkdf2 } from '../../crypto/kdf'
import { MAX_PKCS12_ITERATIONS, PKCS12_ID_IV, PKCS12_ID_KEY, pkcs12Kdf } from '../../crypto/pkcs12kdf'
import { KdfWorkBudget, SHA1_BYTES } from '../../crypto/workBudget'
import { cbc8DecryptNoUnpad, cbc8Encrypt, cbc8KeyLength, CipherUnavailableError, strictUnpad8, type Cbc8Algorithm } from '../../crypto/tripleDes'
import { chargeScheme, parseEncryptedKeyFile, passwordEncodings } from '../privateKey'
import { OID } from './oids'

export interface PfxPassword {
  text: string
  /** BMPString forms to try for the PKCS#12 schemes, the one the MAC accepted first. */
  bmp: Uint8Array[]
  /** The MAC accepted the password: valid padding around unexpected content then means damage, not a wrong password. */
  verified: boolean
  /** The whole file's key-derivation budget, charged by every attempt. */
  budget: KdfWorkBudget
}

export type DecryptOutcome<T> =
  | { ok: true; value: T }
  /** Nothing decrypted to something plausible: a wrong password (or damage we cannot tell from one). */
  | { ok: false; damaged: false }
  /** The start decrypted to the expected structure, the rest did not: right password, damaged data. */
  | { ok: false; damaged: true }

const PKCS12_PBE: Record<string, { alg: Cbc8Algorithm; name: string }> = {
  [OID.pbeSha1TripleDes]: { alg: 'des-ede3-cbc', name: 'pbeWithSHAAnd3-KeyTripleDES-CBC' },
  [OID.pbeSha1TwoKeyTripleDes]: { alg: 'des-ede-cbc', name: 'pbeWithSHAAnd2-KeyTripleDES-CBC' },
  [OID.pbeSha1Rc2_128]: { alg: 'rc2-cbc', name: 'pbeWithSHAAnd128BitRC2-CBC' },
  [OID.pbeSha1Rc2_40]: { alg: 'rc2-40-cbc', name: 'pbewithSHAAnd40BitRC2-CBC' },
}
const RC4_PBE = new Set<string>([OID.pbeSha1Rc4_128, OID.pbeSha1Rc4_40])

function unsupported(label: string, what: string, oid: string): DojangError {
  return new DojangError('UNSUPPORTED_ALGORITHM', `${label} is encrypted with ${what} (${oid}), which Dojang cannot open`, { file: label, oid })
}

function corrupt(label: string, what: string, cause?: unknown): DojangError {
  const reason = cause instanceof Error ? cause.message : undefined
  return new DojangError('CORRUPT_FILE', `${label} ${what}`, reason ? { file: label, reason } : { file: label }, cause === undefined ? undefined : { cause })
}

/** One way to turn the password into key + IV and decrypt. */
interface Attempt {
  decrypt(): Uint8Array
  unpad(raw: Uint8Array): Uint8Array
}

function pkcs12Attempts(oid: string, params: Tlv | undefined, ciphertext: Uint8Array, pw: PfxPassword, label: string): Attempt[] {
  const scheme = PKCS12_PBE[oid]!
  let salt: Uint8Array
  let iterations: number
  try {
    const [saltT, iterT, extra] = children(expectTag(params, TAG.SEQUENCE, 'pkcs-12PbeParams'))
    if (extra) throw new DerError('pkcs-12PbeParams has extra fields')
    salt = expectTag(saltT, TAG.OCTET_STRING, 'salt').value
    iterations = readSmallInteger(expectTag(iterT, TAG.INTEGER, 'iterations'))
  } catch (e) {
    throw corrupt(label, 'has damaged encryption parameters', e)
  }
  if (iterations < 1 || iterations > MAX_PKCS12_ITERATIONS) {
    throw new DojangError('CORRUPT_FILE', `${label} asks for ${iterations} iterations; the file is probably damaged`, { file: label, iterations })
  }
  if (ciphertext.length === 0 || ciphertext.length % 8 !== 0) {
    throw new DojangError('CORRUPT_FILE', `${label} is damaged: its encrypted data has an impossible length`, { file: label, length: ciphertext.length })
  }
  return pw.bmp.map((bmp) => ({
    decrypt() {
      pw.budget.charge(iterations, cbc8KeyLength(scheme.alg), SHA1_BYTES)
      pw.budget.charge(iterations, 8, SHA1_BYTES)
      const key = pkcs12Kdf('sha1', bmp, salt, PKCS12_ID_KEY, iterations, cbc8KeyLength(scheme.alg))
      const iv = pkcs12Kdf('sha1', bmp, salt, PKCS12_ID_IV, iterations, 8)
      try {
        return cbc8DecryptNoUnpad(scheme.alg, key, iv, ciphertext)
      } catch (e) {
        if (e instanceof CipherUnavailableError) {
          throw new DojangError(
            'UNSUPPORTED_ALGORITHM',
            `${label} is encrypted with ${scheme.name} (${oid}), an old scheme this build of Dojang cannot decrypt; export the file again with 3DES or AES`,
            { file: label, oid },
            { cause: e },
          )
        }
        throw e
      } finally {
        key.fill(0)
      }
    },
    unpad: strictUnpad8,
  }))
}

function pbes2Attempts(algId: Tlv, ciphertext: Uint8Array, pw: PfxPassword, label: string): Attempt[] {
  // An EncryptedContentInfo's algorithm + content has the shape of an EncryptedPrivateKeyInfo: reuse its parser.
  const file = parseEncryptedKeyFile(encodeTlv(TAG.SEQUENCE, algId.bytes, encodeTlv(TAG.OCTET_STRING, ciphertext)), label)
  const scheme = file.scheme
  if (scheme.kind === 'legacy-seed-fixed-iv') throw unsupported(label, 'the legacy SEED-CBC scheme', '1.2.410.200004.1.4')
  return passwordEncodings(pw.text).map(({ bytes }) => ({
    decrypt() {
      chargeScheme(pw.budget, scheme)
      if (scheme.kind === 'pbes2') {
        const key = pbkdf2(scheme.prf, bytes, scheme.salt, scheme.iterations, scheme.keyLength ?? keyLengthOf(scheme.cipher))
        try {
          return cbcDecryptNoUnpad(scheme.cipher, key, scheme.iv, file.ciphertext)
        } finally {
          key.fill(0)
        }
      }
      const { key, iv } = npkiSeedKeyIv(bytes, scheme.salt, scheme.iterations)
      try {
        return cbcDecryptNoUnpad('seed-128-cbc', key, iv, file.ciphertext)
      } finally {
        key.fill(0)
      }
    },
    unpad: strictUnpad,
  }))
}

/**
 * Decrypts `ciphertext` under the AlgorithmIdentifier `algId`, trying each form of the password. `accept` checks
 * the unpadded plaintext (throwing DerError/PaddingError when it is not what we expect); `looksRight` inspects the
 * raw first bytes to tell "right password, damaged data" from "wrong password".
 * Throws UNSUPPORTED_ALGORITHM (naming the OID) and CORRUPT_FILE for damaged parameters.
 */
export function pbeDecrypt<T>(
  algId: Tlv,
  ciphertext: Uint8Array,
  pw: PfxPassword,
  accept: (plain: Uint8Array) => T,
  looksRight: (raw: Uint8Array) => boolean,
  label: string,
): DecryptOutcome<T> {
  let oid: string
  let params: Tlv | undefined
  try {
    const parts = children(expectTag(algId, TAG.SEQUENCE, 'AlgorithmIdentifier'))
    oid = readOid(expectTag(parts[0], TAG.OID, 'algorithm'))
    params = parts[1]
  } catch (e) {
    throw corrupt(label, 'has a damaged algorithm identifier', e)
  }
  let attempts: Attempt[]
  if (PKCS12_PBE[oid]) attempts = pkcs12Attempts(oid, params, ciphertext, pw, label)
  else if (RC4_PBE.has(oid)) throw unsupported(label, 'RC4', oid)
  else attempts = pbes2Attempts(algId, ciphertext, pw, label) // PBES2 or an NPKI scheme; anything else is named there

  let damaged = false
  for (const attempt of attempts) {
    const raw = attempt.decrypt()
    try {
      // `accept` owns the unpadded copy (it may keep it, as the key bag does with the PKCS#8 bytes).
      return { ok: true, value: accept(attempt.unpad(raw)) }
    } catch (e) {
      if (!(e instanceof DerError || e instanceof PaddingError)) throw e
      // A wrong key passes the padding check about once in 256 tries; after a verified MAC that chance is ignored.
      if (looksRight(raw) || (pw.verified && e instanceof DerError)) damaged = true
    } finally {
      raw.fill(0)
    }
  }
  return damaged ? { ok: false, damaged: true } : { ok: false, damaged: false }
}

// ---- writing ----

export interface Encrypted {
  /** DER AlgorithmIdentifier. */
  algId: Uint8Array
  ciphertext: Uint8Array
}

/** pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 C): key and IV from the PKCS#12 KDF with SHA-1. */
export function encryptPkcs12TripleDes(data: Uint8Array, bmpPassword: Uint8Array, salt: Uint8Array, iterations: number): Encrypted {
  const key = pkcs12Kdf('sha1', bmpPassword, salt, PKCS12_ID_KEY, iterations, 24)
  const iv = pkcs12Kdf('sha1', bmpPassword, salt, PKCS12_ID_IV, iterations, 8)
  try {
    return {
      algId: encodeTlv(TAG.SEQUENCE, encodeOid(OID.pbeSha1TripleDes), encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.OCTET_STRING, salt), encodeSmallInteger(iterations))),
      ciphertext: cbc8Encrypt('des-ede3-cbc', key, iv, data),
    }
  } finally {
    key.fill(0)
  }
}

/** PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, encoded the way OpenSSL 3 writes it (no keyLength, NULL prf params). */
export function encryptPbes2Aes256(data: Uint8Array, password: string, salt: Uint8Array, iv: Uint8Array, iterations: number): Encrypted {
  const key = pbkdf2('sha256', new TextEncoder().encode(password), salt, iterations, 32)
  try {
    const kdf = encodeTlv(
      TAG.SEQUENCE,
      encodeOid(OID.pbkdf2),
      encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.OCTET_STRING, salt), encodeSmallInteger(iterations), encodeTlv(TAG.SEQUENCE, encodeOid(OID.hmacWithSha256), encodeTlv(TAG.NULL))),
    )
    const enc = encodeTlv(TAG.SEQUENCE, encodeOid(OID.aes256Cbc), encodeTlv(TAG.OCTET_STRING, iv))
    return {
      algId: encodeTlv(TAG.SEQUENCE, encodeOid(OID.pbes2), encodeTlv(TAG.SEQUENCE, kdf, enc)),
      ciphertext: cbcEncrypt('aes-256-cbc', key, iv, data),
    }
  } finally {
    key.fill(0)
  }
}

/** EncryptedPrivateKeyInfo (RFC 5208) from an encryption result. */
export function encryptedPrivateKeyInfo(e: Encrypted): Uint8Array {
  return encodeTlv(TAG.SEQUENCE, e.algId, encodeTlv(TAG.OCTET_STRING, e.ciphertext))
}
