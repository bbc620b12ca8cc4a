/**
 * The PKCS#12 containers (RFC 7292 §4): PFX → authSafe (ContentInfos) → SafeContents → SafeBags, read with the
 * strict DER module after BER normalisation, and written as DER. Nothing here decrypts; pbe.ts does.
 *
 * Why not pkijs: its PFX classes are asynchronous and run their crypto through WebCrypto, which has neither the
 * PKCS#12 KDF nor Triple-DES; they re-encode what they parse, while we need the exact bytes the MAC covers and the
 * exact PKCS#8 of a key; and their BER leniency is the opposite of what deciding "wrong password or damaged file"
 * needs. The containers are a handful of SEQUENCEs, so the strict reader is the smaller risk.
 */
import { createHmac } from 'node:crypto'
import { DojangError } from '../../../../common/errors'
import {
  bytesEqual, children, concat, DerError, encodeOid, encodeSmallInteger, encodeTlv, expectTag, readOid, readSingle,
  readSmallInteger, TAG, type Tlv,
} from '../../asn1/der'
import { MAX_PKCS12_ITERATIONS, PKCS12_ID_MAC, pkcs12HashSize, pkcs12Kdf, type Pkcs12Hash } from '../../crypto/pkcs12kdf'
import type { KdfWorkBudget } from '../../crypto/workBudget'
import { berToDer, berToDerExact } from './ber'
import { OID } from './oids'
import type { Encrypted } from './pbe'

export const PFX_LABEL = 'The PFX file'

const MAC_HASHES: Record<string, Pkcs12Hash> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
}
const MAC_HASH_OIDS = Object.fromEntries(Object.entries(MAC_HASHES).map(([oid, h]) => [h, oid])) as Record<Pkcs12Hash, string>

export interface MacData {
  hash: Pkcs12Hash
  digest: Uint8Array
  salt: Uint8Array
  iterations: number
}

export interface PfxOuter {
  /** Content octets of the authSafe OCTET STRING: what the MAC covers. */
  authSafe: Uint8Array
  mac?: MacData
}

function corrupt(what: string, cause?: unknown): DojangError {
  const reason = cause instanceof Error ? cause.message : undefined
  return new DojangError('CORRUPT_FILE', `${PFX_LABEL} ${what}`, reason ? { file: 'pfx', reason } : { file: 'pfx' }, cause === undefined ? undefined : { cause })
}

function isPemText(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').replace(/^\uFEFF|^\xef\xbb\xbf/, '').trimStart()
  return head.startsWith('-----BEGIN')
}

/** `[0] EXPLICIT` content of a ContentInfo with exactly that one field after the type. */
function explicitContent(parts: Tlv[], what: string): Tlv {
  if (parts.length !== 2) throw new DerError(`${what} must have a type and one content`)
  const [inner, extra] = children(expectTag(parts[1], TAG.CONTEXT_0, `${what} content`))
  if (!inner || extra) throw new DerError(`${what} content must hold one element`)
  return inner
}

/**
 * Reads `PFX ::= SEQUENCE { version 3, authSafe ContentInfo, macData MacData OPTIONAL }`. CORRUPT_FILE when the
 * bytes are not a PFX; UNSUPPORTED_ALGORITHM for the public-key integrity mode and unknown MAC algorithms.
 */
export function parsePfxOuter(bytes: Uint8Array): PfxOuter {
  if (bytes.length === 0) throw corrupt('is empty')
  if (isPemText(bytes)) throw corrupt('is PEM text, not a PFX/P12 file')
  let parts: Tlv[]
  try {
    const { der, end } = berToDer(bytes)
    // Some tools add a newline or zero padding when they save; anything else after the PFX means damage.
    for (let i = end; i < bytes.length; i++) {
      if (![0x00, 0x0a, 0x0d, 0x20, 0x09].includes(bytes[i]!)) throw new DerError('unexpected bytes after the PFX')
    }
    parts = children(readSingle(der, TAG.SEQUENCE))
  } catch (e) {
    throw corrupt('is not a PFX/P12 file or is damaged', e)
  }
  let authSafe: Uint8Array
  let macTlv: Tlv | undefined
  try {
    if (parts.length < 2 || parts.length > 3) throw new DerError('PFX must have two or three fields')
    const version = readSmallInteger(expectTag(parts[0], TAG.INTEGER, 'version'))
    if (version !== 3) throw new DerError(`PFX version ${version}`)
    const ci = children(expectTag(parts[1], TAG.SEQUENCE, 'authSafe'))
    const type = readOid(expectTag(ci[0], TAG.OID, 'authSafe content type'))
    if (type === OID.signedData) {
      throw new DojangError('UNSUPPORTED_ALGORITHM', `${PFX_LABEL} is protected by a digital signature instead of a password (public-key integrity mode), which Dojang does not support`, { file: 'pfx', oid: type })
    }
    if (type !== OID.data) throw new DerError(`authSafe content type ${type}`)
    authSafe = expectTag(explicitContent(ci, 'authSafe'), TAG.OCTET_STRING, 'authSafe data').value
    macTlv = parts[2]
  } catch (e) {
    if (e instanceof DojangError) throw e
    throw corrupt('is not a PFX/P12 file or is damaged', e)
  }
  return macTlv ? { authSafe, mac: parseMacData(macTlv) } : { authSafe }
}

function parseMacData(tlv: Tlv): MacData {
  let oid: string
  let digest: Uint8Array
  let salt: Uint8Array
  let iterations = 1
  try {
    const [digestInfo, saltT, iterT, extra] = children(expectTag(tlv, TAG.SEQUENCE, 'macData'))
    if (extra) throw new DerError('macData has extra fields')
    const [algT, digestT, extra2] = children(expectTag(digestInfo, TAG.SEQUENCE, 'DigestInfo'))
    if (extra2) throw new DerError('DigestInfo has extra fields')
    const alg = children(expectTag(algT, TAG.SEQUENCE, 'digestAlgorithm'))
    oid = readOid(expectTag(alg[0], TAG.OID, 'digest algorithm'))
    // Hash parameters are NULL or absent; anything else is damage (macData is the one part the MAC cannot cover).
    if (alg.length > 2 || (alg[1] && (alg[1].tag !== TAG.NULL || alg[1].length !== 0))) throw new DerError('digest parameters must be NULL')
    digest = expectTag(digestT, TAG.OCTET_STRING, 'digest').value
    salt = expectTag(saltT, TAG.OCTET_STRING, 'macSalt').value
    if (iterT) iterations = readSmallInteger(expectTag(iterT, TAG.INTEGER, 'iterations'))
  } catch (e) {
    throw corrupt('has a damaged integrity check (MAC)', e)
  }
  if (oid === OID.pbmac1) {
    throw new DojangError('UNSUPPORTED_ALGORITHM', `${PFX_LABEL} uses the PBMAC1 integrity check (${oid}), which Dojang does not support yet`, { file: 'pfx', oid })
  }
  const hash = MAC_HASHES[oid]
  if (!hash) throw new DojangError('UNSUPPORTED_ALGORITHM', `${PFX_LABEL} uses an integrity check (MAC) with an unknown hash (${oid})`, { file: 'pfx', oid })
  if (digest.length !== pkcs12HashSize(hash)) throw corrupt('has a damaged integrity check (MAC length)')
  if (iterations < 1 || iterations > MAX_PKCS12_ITERATIONS) {
    throw new DojangError('CORRUPT_FILE', `${PFX_LABEL} asks for ${iterations} MAC iterations; the file is probably damaged`, { file: 'pfx', iterations })
  }
  return { hash, digest, salt, iterations }
}

/** HMAC over the authSafe with the key from the PKCS#12 KDF (ID 3), as RFC 7292 §5 and OpenSSL do it. */
export function computeMac(hash: Pkcs12Hash, bmpPassword: Uint8Array, salt: Uint8Array, iterations: number, data: Uint8Array): Uint8Array {
  const key = pkcs12Kdf(hash, bmpPassword, salt, PKCS12_ID_MAC, iterations, pkcs12HashSize(hash))
  try {
    return new Uint8Array(createHmac(hash, key).update(data).digest())
  } finally {
    key.fill(0)
  }
}

/** The first password form whose MAC matches, or undefined. Each try is charged to the file's budget first. */
export function verifyMac(outer: PfxOuter & { mac: MacData }, candidates: Uint8Array[], budget?: KdfWorkBudget): Uint8Array | undefined {
  const { hash, salt, iterations, digest } = outer.mac
  return candidates.find((bmp) => {
    budget?.charge(iterations, pkcs12HashSize(hash), pkcs12HashSize(hash))
    return bytesEqual(computeMac(hash, bmp, salt, iterations, outer.authSafe), digest)
  })
}

// ---- authSafe and SafeContents ----

export type SafeContentInfo =
  | { kind: 'data'; safeContents: Uint8Array }
  | { kind: 'encrypted'; algId: Tlv; ciphertext: Uint8Array }

/** `AuthenticatedSafe ::= SEQUENCE OF ContentInfo` (data or encryptedData). Throws DerError or DojangError. */
export function parseAuthSafe(octets: Uint8Array): SafeContentInfo[] {
  const top = readSingle(berToDerExact(octets), TAG.SEQUENCE)
  return children(top).map((ci): SafeContentInfo => {
    const parts = children(expectTag(ci, TAG.SEQUENCE, 'ContentInfo'))
    const type = readOid(expectTag(parts[0], TAG.OID, 'content type'))
    if (type === OID.data) {
      return { kind: 'data', safeContents: expectTag(explicitContent(parts, 'ContentInfo'), TAG.OCTET_STRING, 'data').value }
    }
    if (type === OID.encryptedData) return parseEncryptedData(explicitContent(parts, 'ContentInfo'))
    if (type === OID.envelopedData) {
      throw new DojangError('UNSUPPORTED_ALGORITHM', `${PFX_LABEL} is encrypted to a certificate instead of a password (public-key privacy mode), which Dojang does not support`, { file: 'pfx', oid: type })
    }
    throw new DojangError('UNSUPPORTED_ALGORITHM', `${PFX_LABEL} holds content of an unknown type (${type})`, { file: 'pfx', oid: type })
  })
}

function parseEncryptedData(tlv: Tlv): SafeContentInfo {
  const [versionT, eciT] = children(expectTag(tlv, TAG.SEQUENCE, 'EncryptedData'))
  readSmallInteger(expectTag(versionT, TAG.INTEGER, 'EncryptedData version'))
  const [typeT, algT, contentT] = children(expectTag(eciT, TAG.SEQUENCE, 'EncryptedContentInfo'))
  if (readOid(expectTag(typeT, TAG.OID, 'encrypted content type')) !== OID.data) throw new DerError('encrypted content is not data')
  const algId = expectTag(algT, TAG.SEQUENCE, 'contentEncryptionAlgorithm')
  if (!contentT) throw new DerError('encrypted content is missing')
  let ciphertext: Uint8Array
  // [0] IMPLICIT OCTET STRING: primitive in DER, or constructed from OCTET STRING chunks in BER.
  if (contentT.tag === TAG.CONTEXT_0_PRIMITIVE) ciphertext = contentT.value
  else if (contentT.tag === TAG.CONTEXT_0) ciphertext = concat(...children(contentT).map((c) => expectTag(c, TAG.OCTET_STRING, 'encrypted content chunk').value))
  else throw new DerError('encryptedContent has the wrong tag')
  return { kind: 'encrypted', algId, ciphertext }
}

export interface SafeBag {
  bagId: string
  /** The bag value (inside the [0] EXPLICIT wrapper), exact bytes. */
  value: Tlv
  localKeyId?: Uint8Array
}

const MAX_NESTING = 8

/** `SafeContents ::= SEQUENCE OF SafeBag`, nested safeContentsBags flattened. Throws DerError. */
export function parseSafeContents(bytes: Uint8Array, depth = 0): SafeBag[] {
  if (depth > MAX_NESTING) throw new DerError('SafeContents nested too deeply')
  const top = readSingle(depth === 0 ? berToDerExact(bytes) : bytes, TAG.SEQUENCE)
  const out: SafeBag[] = []
  for (const bagTlv of children(top)) {
    const [idT, valueWrap, attrsT, extra] = children(expectTag(bagTlv, TAG.SEQUENCE, 'SafeBag'))
    if (extra) throw new DerError('SafeBag has extra fields')
    const bagId = readOid(expectTag(idT, TAG.OID, 'bagId'))
    const [value, extraValue] = children(expectTag(valueWrap, TAG.CONTEXT_0, 'bagValue'))
    if (!value || extraValue) throw new DerError('bagValue must hold one element')
    if (bagId === OID.safeContentsBag) {
      out.push(...parseSafeContents(value.bytes, depth + 1))
      continue
    }
    const bag: SafeBag = { bagId, value }
    if (attrsT) {
      for (const attr of children(expectTag(attrsT, TAG.SET, 'bagAttributes'))) {
        const [oidT, valuesT] = children(expectTag(attr, TAG.SEQUENCE, 'attribute'))
        const values = children(expectTag(valuesT, TAG.SET, 'attribute values'))
        if (readOid(expectTag(oidT, TAG.OID, 'attribute type')) === OID.localKeyId && values[0]) {
          bag.localKeyId = expectTag(values[0], TAG.OCTET_STRING, 'localKeyID').value
        }
      }
    }
    out.push(bag)
  }
  return out
}

/** The certificate DER of an X.509 certBag, or undefined for other certificate types (SDSI). Throws DerError. */
export function certFromCertBag(value: Tlv): Uint8Array | undefined {
  const [idT, wrap, extra] = children(expectTag(value, TAG.SEQUENCE, 'CertBag'))
  if (extra) throw new DerError('CertBag has extra fields')
  if (readOid(expectTag(idT, TAG.OID, 'certId')) !== OID.x509Certificate) return undefined
  const [inner, extraInner] = children(expectTag(wrap, TAG.CONTEXT_0, 'certValue'))
  if (extraInner) throw new DerError('certValue must hold one element')
  return expectTag(inner, TAG.OCTET_STRING, 'certificate').value
}

/** `EncryptedPrivateKeyInfo` split into its AlgorithmIdentifier and ciphertext. Throws DerError. */
export function splitEncryptedPrivateKeyInfo(value: Tlv): { algId: Tlv; ciphertext: Uint8Array } {
  const [algT, dataT, extra] = children(expectTag(value, TAG.SEQUENCE, 'EncryptedPrivateKeyInfo'))
  if (extra) throw new DerError('EncryptedPrivateKeyInfo has extra fields')
  return { algId: expectTag(algT, TAG.SEQUENCE, 'encryptionAlgorithm'), ciphertext: expectTag(dataT, TAG.OCTET_STRING, 'encryptedData').value }
}

// ---- writing ----

export function safeBag(bagId: string, valueDer: Uint8Array, localKeyId?: Uint8Array): Uint8Array {
  const fields = [encodeOid(bagId), encodeTlv(TAG.CONTEXT_0, valueDer)]
  if (localKeyId) {
    fields.push(encodeTlv(TAG.SET, encodeTlv(TAG.SEQUENCE, encodeOid(OID.localKeyId), encodeTlv(TAG.SET, encodeTlv(TAG.OCTET_STRING, localKeyId)))))
  }
  return encodeTlv(TAG.SEQUENCE, ...fields)
}

export function certBagValue(certDer: Uint8Array): Uint8Array {
  return encodeTlv(TAG.SEQUENCE, encodeOid(OID.x509Certificate), encodeTlv(TAG.CONTEXT_0, encodeTlv(TAG.OCTET_STRING, certDer)))
}

export function safeContents(bags: Uint8Array[]): Uint8Array {
  return encodeTlv(TAG.SEQUENCE, ...bags)
}

export function dataContentInfo(content: Uint8Array): Uint8Array {
  return encodeTlv(TAG.SEQUENCE, encodeOid(OID.data), encodeTlv(TAG.CONTEXT_0, encodeTlv(TAG.OCTET_STRING, content)))
}

export function encryptedDataContentInfo(e: Encrypted): Uint8Array {
  const eci = encodeTlv(TAG.SEQUENCE, encodeOid(OID.data), e.algId, encodeTlv(TAG.CONTEXT_0_PRIMITIVE, e.ciphertext))
  return encodeTlv(TAG.SEQUENCE, encodeOid(OID.encryptedData), encodeTlv(TAG.CONTEXT_0, encodeTlv(TAG.SEQUENCE, encodeSmallInteger(0), eci)))
}

/** The PFX around an authSafe (DER SEQUENCE OF ContentInfo), with a password MAC. */
export function pfxWithMac(authSafe: Uint8Array, mac: { hash: Pkcs12Hash; bmpPassword: Uint8Array; salt: Uint8Array; iterations: number }): Uint8Array {
  const digest = computeMac(mac.hash, mac.bmpPassword, mac.salt, mac.iterations, authSafe)
  const macData = encodeTlv(
    TAG.SEQUENCE,
    encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.SEQUENCE, encodeOid(MAC_HASH_OIDS[mac.hash]), encodeTlv(TAG.NULL)), encodeTlv(TAG.OCTET_STRING, digest)),
    encodeTlv(TAG.OCTET_STRING, mac.salt),
    encodeSmallInteger(mac.iterations),
  )
  return encodeTlv(TAG.SEQUENCE, encodeSmallInteger(3), dataContentInfo(authSafe), macData)
}
