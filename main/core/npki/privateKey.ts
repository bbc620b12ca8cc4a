/**
 * NPKI private key files (signPri.key, kmPri.key): PKCS#8 EncryptedPrivateKeyInfo in three variants
 * (npki-format.md §5). Decryption tells a wrong password from a damaged file and from an unsupported scheme;
 * encryption writes the same scheme with a fresh salt around the exact PKCS#8 bytes it was given.
 */
import { randomBytes } from 'node:crypto'
import iconv from 'iconv-lite'
import { DojangError } from '../../../common/errors'
import {
  bytesEqual, children, concat, DerError, encodeOid, encodeSmallInteger, encodeTlv, expectTag, readOid,
  readSmallInteger, readTlv, TAG, type Tlv,
} from '../asn1/der'
import { cbcDecryptNoUnpad, cbcEncrypt, keyLengthOf, strictUnpad, PaddingError, type CbcAlgorithm } from '../crypto/cbc'
import { npkiSeedKeyIv, pbkdf1Sha1, pbkdf2 } from '../crypto/kdf'
import { hashBytes, KdfWorkBudget, SHA1_BYTES } from '../crypto/workBudget'
import { isConsistentRsaKey, parsePrivateKeyInfo, type PrivateKeyInfo } from './pkcs8'

export const OID_NPKI_SEED_PBKDF1 = '1.2.410.200004.1.15'
export const OID_SEED_CBC = '1.2.410.200004.1.4'
export const OID_PBES2 = '1.2.840.113549.1.5.13'
export const OID_PBKDF2 = '1.2.840.113549.1.5.12'
const OID_HMAC_SHA1 = '1.2.840.113549.2.7'
const OID_HMAC_SHA256 = '1.2.840.113549.2.9'

const CIPHERS: Record<string, CbcAlgorithm> = {
  [OID_SEED_CBC]: 'seed-128-cbc',
  '2.16.840.1.101.3.4.1.2': 'aes-128-cbc',
  '2.16.840.1.101.3.4.1.22': 'aes-192-cbc',
  '2.16.840.1.101.3.4.1.42': 'aes-256-cbc',
}
const CIPHER_OIDS = Object.fromEntries(Object.entries(CIPHERS).map(([oid, alg]) => [alg, oid])) as Record<CbcAlgorithm, string>

/** A corrupt file must not make us spin for minutes. */
export const MAX_ITERATIONS = 10_000_000
/** The fixed IV of the legacy seedCBC variant, as PyPinkSign and LibNPKI read it (npki-format.md §5.5). */
const LEGACY_FIXED_IV = new TextEncoder().encode('0123456789012345')

export type KeyScheme =
  | { kind: 'npki-pbkdf1-seed'; salt: Uint8Array; iterations: number }
  | {
      kind: 'pbes2'
      prf: 'sha1' | 'sha256'
      /** Whether the file named the PRF explicitly (SHA-1 is the default when absent). Kept when rewriting. */
      prfExplicit: boolean
      cipher: CbcAlgorithm
      salt: Uint8Array
      iterations: number
      /** keyLength as written in the file, if it was. */
      keyLength?: number
      iv: Uint8Array
    }
  | { kind: 'legacy-seed-fixed-iv'; salt: Uint8Array; iterations: number }

export interface EncryptedKeyFile {
  scheme: KeyScheme
  ciphertext: Uint8Array
  /** The EncryptedPrivateKeyInfo element itself. */
  der: Uint8Array
  /** Bytes after the DER (46 in real TradeSign files); preserved on rewrite. */
  trailing: Uint8Array
}

export interface DecryptedKey {
  /** The exact PrivateKeyInfo bytes, attributes (randomNum) included. Secret: never log or persist. */
  pkcs8: Uint8Array
  info: PrivateKeyInfo
  file: EncryptedKeyFile
  /** Which byte encoding of the password opened the key. */
  passwordEncoding: 'utf-8' | 'cp949'
}

export interface PublicKeyRef {
  modulus: Uint8Array
  exponent?: Uint8Array
}

/** A human label for diagnostics: the scheme without any secret. */
export function describeScheme(s: KeyScheme): string {
  switch (s.kind) {
    case 'npki-pbkdf1-seed':
      return `${OID_NPKI_SEED_PBKDF1} (PBKDF1-SHA1 + SEED-CBC, ${s.iterations} iterations)`
    case 'pbes2':
      return `PBES2 (PBKDF2-HMAC-${s.prf.toUpperCase()} + ${s.cipher.toUpperCase()}, ${s.iterations} iterations)`
    case 'legacy-seed-fixed-iv':
      return `${OID_SEED_CBC} (legacy PBKDF1-SHA1 + SEED-CBC with a fixed IV, ${s.iterations} iterations)`
  }
}

/** Parses the first DER element of a key file; anything after it is kept as `trailing`. */
export function parseEncryptedKeyFile(bytes: Uint8Array, label = 'key file'): EncryptedKeyFile {
  if (bytes.length === 0) throw new DojangError('CORRUPT_FILE', `${label} is empty`, { file: label })
  let top: Tlv
  let algTlv: Tlv
  let dataTlv: Tlv
  try {
    top = readTlv(bytes, 0)
    if (top.tag !== TAG.SEQUENCE) throw new DerError('not a SEQUENCE')
    const parts = children(top)
    if (parts.length !== 2) throw new DerError('EncryptedPrivateKeyInfo must have two fields')
    algTlv = expectTag(parts[0], TAG.SEQUENCE, 'encryptionAlgorithm')
    dataTlv = expectTag(parts[1], TAG.OCTET_STRING, 'encryptedData')
  } catch (e) {
    throw corrupt(label, 'is not an encrypted private key (PKCS#8)', e)
  }
  const scheme = parseScheme(algTlv, label)
  const ciphertext = dataTlv.value
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new DojangError('CORRUPT_FILE', `${label} is damaged: its encrypted data has an impossible length`, { file: label, length: ciphertext.length })
  }
  return { scheme, ciphertext, der: top.bytes, trailing: bytes.subarray(top.end) }
}

function parseScheme(algTlv: Tlv, label: string): KeyScheme {
  let oid: string
  let params: Tlv | undefined
  try {
    const alg = children(algTlv)
    oid = readOid(expectTag(alg[0], TAG.OID, 'algorithm'))
    params = alg[1]
  } catch (e) {
    throw corrupt(label, 'has a damaged algorithm identifier', e)
  }
  try {
    if (oid === OID_NPKI_SEED_PBKDF1 || oid === OID_SEED_CBC) {
      if (oid === OID_SEED_CBC && params?.tag === TAG.OCTET_STRING) {
        throw new DojangError('UNSUPPORTED_ALGORITHM', `${label} uses SEED-CBC without a password scheme (a bare IV); Dojang cannot open it`, { file: label, oid })
      }
      const [saltT, iterT] = children(expectTag(params, TAG.SEQUENCE, 'parameters'))
      const salt = expectTag(saltT, TAG.OCTET_STRING, 'salt').value
      const iterations = checkIterations(readSmallInteger(expectTag(iterT, TAG.INTEGER, 'iterations')), label)
      return oid === OID_NPKI_SEED_PBKDF1
        ? { kind: 'npki-pbkdf1-seed', salt, iterations }
        : { kind: 'legacy-seed-fixed-iv', salt, iterations }
    }
    if (oid === OID_PBES2) return parsePbes2(expectTag(params, TAG.SEQUENCE, 'PBES2 parameters'), label)
  } catch (e) {
    if (e instanceof DojangError) throw e
    throw corrupt(label, 'has damaged encryption parameters', e)
  }
  throw new DojangError('UNSUPPORTED_ALGORITHM', `${label} is encrypted with an algorithm Dojang does not support (${oid})`, { file: label, oid })
}

function parsePbes2(params: Tlv, label: string): KeyScheme {
  const [kdf, enc] = children(params)
  const kdfParts = children(expectTag(kdf, TAG.SEQUENCE, 'keyDerivationFunc'))
  const kdfOid = readOid(expectTag(kdfParts[0], TAG.OID, 'KDF'))
  if (kdfOid !== OID_PBKDF2) {
    throw new DojangError('UNSUPPORTED_ALGORITHM', `${label} uses an unsupported key derivation (${kdfOid})`, { file: label, oid: kdfOid })
  }
  const p = children(expectTag(kdfParts[1], TAG.SEQUENCE, 'PBKDF2 parameters'))
  const salt = expectTag(p[0], TAG.OCTET_STRING, 'salt').value
  const iterations = checkIterations(readSmallInteger(expectTag(p[1], TAG.INTEGER, 'iterations')), label)
  let i = 2
  let keyLength: number | undefined
  if (p[i]?.tag === TAG.INTEGER) keyLength = readSmallInteger(p[i++]!)
  let prf: 'sha1' | 'sha256' = 'sha1'
  let prfExplicit = false
  if (p[i]) {
    const prfParts = children(expectTag(p[i], TAG.SEQUENCE, 'prf'))
    const prfOid = readOid(expectTag(prfParts[0], TAG.OID, 'prf'))
    if (prfOid === OID_HMAC_SHA256) prf = 'sha256'
    else if (prfOid !== OID_HMAC_SHA1) {
      throw new DojangError('UNSUPPORTED_ALGORITHM', `${label} uses an unsupported PBKDF2 hash (${prfOid})`, { file: label, oid: prfOid })
    }
    prfExplicit = true
  }
  const encParts = children(expectTag(enc, TAG.SEQUENCE, 'encryptionScheme'))
  const cipherOid = readOid(expectTag(encParts[0], TAG.OID, 'cipher'))
  const cipher = CIPHERS[cipherOid]
  if (!cipher) {
    throw new DojangError('UNSUPPORTED_ALGORITHM', `${label} uses an unsupported cipher (${cipherOid})`, { file: label, oid: cipherOid })
  }
  const iv = expectTag(encParts[1], TAG.OCTET_STRING, 'IV').value
  if (iv.length !== 16) throw new DerError('IV must be 16 bytes')
  if (keyLength !== undefined && keyLength !== keyLengthOf(cipher)) throw new DerError('keyLength does not fit the cipher')
  return { kind: 'pbes2', prf, prfExplicit, cipher, salt, iterations, keyLength, iv }
}

function checkIterations(n: number, label: string): number {
  if (n < 1 || n > MAX_ITERATIONS) {
    throw new DojangError('CORRUPT_FILE', `${label} asks for ${n} iterations, which no NPKI software writes; the file is probably damaged`, { file: label, iterations: n })
  }
  return n
}

/** The password as bytes: UTF-8 first; CP949 too when it has non-ASCII characters (older Korean Windows tools). */
export function passwordEncodings(password: string): { encoding: 'utf-8' | 'cp949'; bytes: Uint8Array }[] {
  const utf8 = new TextEncoder().encode(password)
  const out: { encoding: 'utf-8' | 'cp949'; bytes: Uint8Array }[] = [{ encoding: 'utf-8', bytes: utf8 }]
  if ([...password].some((ch) => ch.charCodeAt(0) > 0x7f)) {
    const cp949 = Uint8Array.from(iconv.encode(password, 'cp949'))
    if (!bytesEqual(cp949, utf8)) out.push({ encoding: 'cp949', bytes: cp949 })
  }
  return out
}

/** Charges the derivation `scheme` needs (one PBKDF1 or PBKDF2 run) to the file's work budget. */
export function chargeScheme(budget: KdfWorkBudget, scheme: KeyScheme): void {
  if (scheme.kind === 'pbes2') budget.charge(scheme.iterations, scheme.keyLength ?? keyLengthOf(scheme.cipher), hashBytes(scheme.prf))
  else budget.charge(scheme.iterations, SHA1_BYTES, SHA1_BYTES)
}

function deriveKeyIv(scheme: KeyScheme, password: Uint8Array, budget?: KdfWorkBudget): { alg: CbcAlgorithm; key: Uint8Array; iv: Uint8Array } {
  if (budget) chargeScheme(budget, scheme)
  switch (scheme.kind) {
    case 'npki-pbkdf1-seed': {
      const { key, iv } = npkiSeedKeyIv(password, scheme.salt, scheme.iterations)
      return { alg: 'seed-128-cbc', key, iv }
    }
    case 'legacy-seed-fixed-iv':
      return { alg: 'seed-128-cbc', key: pbkdf1Sha1(password, scheme.salt, scheme.iterations).subarray(0, 16), iv: LEGACY_FIXED_IV }
    case 'pbes2':
      return {
        alg: scheme.cipher,
        key: pbkdf2(scheme.prf, password, scheme.salt, scheme.iterations, scheme.keyLength ?? keyLengthOf(scheme.cipher)),
        iv: scheme.iv,
      }
  }
}

/**
 * The decrypted bytes start like a PKCS#8 PrivateKeyInfo: `30 82 LL LL 02 01 00 30` (or the one-byte-length form)
 * with a declared length that fits the padding. A wrong password yields this by chance about once in 2^64; the
 * right password yields it even when a later block of the file is damaged (CBC damage stays local), so it is how
 * we tell "wrong password" from "right password, corrupt file".
 */
function looksLikePrivateKeyInfo(raw: Uint8Array): boolean {
  if (raw.length < 16 || raw[0] !== 0x30) return false
  let header: number
  let declared: number
  if (raw[1] === 0x82) {
    header = 4
    declared = raw[2]! * 256 + raw[3]!
  } else if (raw[1] === 0x81) {
    header = 3
    declared = raw[2]!
  } else return false
  const total = header + declared
  if (total > raw.length || total < raw.length - 16) return false
  return raw[header] === 0x02 && raw[header + 1] === 0x01 && (raw[header + 2] === 0x00 || raw[header + 2] === 0x01) && raw[header + 3] === 0x30
}

export interface DecryptOptions {
  publicKey?: PublicKeyRef
  label?: string
  /** The work budget of the file this key came from (a PFX shares one across its bags); default: one per call. */
  budget?: KdfWorkBudget
}

/**
 * Decrypts a key file. With `publicKey` (the certificate's RSA modulus) the key must also belong to it.
 * Errors: WRONG_PASSWORD, CORRUPT_FILE, UNSUPPORTED_ALGORITHM (also: more KDF work than MAX_KDF_WORK_PER_FILE),
 * KEY_MISMATCH — and nothing else.
 */
export function decryptPrivateKey(bytes: Uint8Array, password: string, opts: DecryptOptions = {}): DecryptedKey {
  const label = opts.label ?? 'key file'
  const file = parseEncryptedKeyFile(bytes, label)
  const budget = opts.budget ?? new KdfWorkBudget(label)
  for (const candidate of passwordEncodings(password)) {
    const { alg, key, iv } = deriveKeyIv(file.scheme, candidate.bytes, budget)
    const raw = cbcDecryptNoUnpad(alg, key, iv, file.ciphertext)
    if (!looksLikePrivateKeyInfo(raw)) continue
    // From here on the password is right: every failure means damage.
    let pkcs8: Uint8Array
    let info: PrivateKeyInfo
    try {
      pkcs8 = strictUnpad(raw)
      info = parsePrivateKeyInfo(pkcs8)
    } catch (e) {
      if (e instanceof PaddingError || e instanceof DerError) throw corrupt(label, 'is damaged: the password is right but the key inside is broken', e)
      throw e
    }
    if (!info.rsa) {
      throw new DojangError('UNSUPPORTED_ALGORITHM', `${label} holds a ${info.algorithmOid} key; Dojang handles RSA keys only`, { file: label, oid: info.algorithmOid })
    }
    if (!isConsistentRsaKey(info.rsa)) throw corrupt(label, 'is damaged: the key numbers inside do not agree with each other')
    if (opts.publicKey) {
      const sameN = bytesEqual(info.rsa.n, opts.publicKey.modulus)
      const sameE = !opts.publicKey.exponent || bytesEqual(info.rsa.e, opts.publicKey.exponent)
      if (!sameN || !sameE) {
        throw new DojangError('KEY_MISMATCH', `${label} opens, but it belongs to a different certificate (or the certificate is damaged)`, { file: label })
      }
    }
    return { pkcs8, info, file, passwordEncoding: candidate.encoding }
  }
  throw new DojangError('WRONG_PASSWORD', 'The certificate password is wrong', { file: label })
}

/**
 * Encrypts exact PKCS#8 bytes with the scheme of `like` and a fresh salt (and IV for PBES2). The legacy
 * fixed-IV variant is never written: it becomes the usual 1.2.410.200004.1.15 scheme. `trailing` bytes are
 * appended unchanged so that a rewrite preserves what we do not understand.
 */
export function encryptPrivateKey(
  pkcs8: Uint8Array,
  password: string,
  like: KeyScheme = { kind: 'npki-pbkdf1-seed', salt: new Uint8Array(8), iterations: 2048 },
  opts: { trailing?: Uint8Array; /** Tests only: reproduce a known file. */ salt?: Uint8Array; iv?: Uint8Array } = {},
): Uint8Array {
  const pw = new TextEncoder().encode(password)
  const trailing = opts.trailing ?? new Uint8Array(0)
  const salt = opts.salt ?? Uint8Array.from(randomBytes(like.salt.length >= 8 && like.salt.length <= 64 ? like.salt.length : 8))
  let scheme: KeyScheme
  let algId: Uint8Array
  if (like.kind === 'pbes2') {
    scheme = { ...like, salt, iv: opts.iv ?? Uint8Array.from(randomBytes(16)) }
    const pbkdf2Params = [encodeTlv(TAG.OCTET_STRING, salt), encodeSmallInteger(like.iterations)]
    if (like.keyLength !== undefined) pbkdf2Params.push(encodeSmallInteger(like.keyLength))
    if (like.prfExplicit || like.prf !== 'sha1') {
      pbkdf2Params.push(encodeTlv(TAG.SEQUENCE, encodeOid(like.prf === 'sha256' ? OID_HMAC_SHA256 : OID_HMAC_SHA1), encodeTlv(TAG.NULL)))
    }
    algId = encodeTlv(
      TAG.SEQUENCE,
      encodeOid(OID_PBES2),
      encodeTlv(
        TAG.SEQUENCE,
        encodeTlv(TAG.SEQUENCE, encodeOid(OID_PBKDF2), encodeTlv(TAG.SEQUENCE, ...pbkdf2Params)),
        encodeTlv(TAG.SEQUENCE, encodeOid(CIPHER_OIDS[like.cipher]), encodeTlv(TAG.OCTET_STRING, scheme.iv)),
      ),
    )
  } else {
    scheme = { kind: 'npki-pbkdf1-seed', salt, iterations: like.iterations }
    algId = encodeTlv(
      TAG.SEQUENCE,
      encodeOid(OID_NPKI_SEED_PBKDF1),
      encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.OCTET_STRING, salt), encodeSmallInteger(like.iterations)),
    )
  }
  // The scheme comes from a file that was opened (within its budget) or from Dojang's defaults: check it all the same.
  const { alg, key, iv } = deriveKeyIv(scheme, pw, new KdfWorkBudget('The new key file'))
  const ciphertext = cbcEncrypt(alg, key, iv, pkcs8)
  return concat(encodeTlv(TAG.SEQUENCE, algId, encodeTlv(TAG.OCTET_STRING, ciphertext)), trailing)
}

function corrupt(label: string, what: string, cause?: unknown): DojangError {
  const reason = cause instanceof Error ? cause.message : undefined
  return new DojangError('CORRUPT_FILE', `${label} ${what}`, reason ? { file: label, reason } : { file: label }, { cause })
}
