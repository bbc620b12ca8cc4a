/**
 * Strict reading of a decrypted PKCS#8 PrivateKeyInfo (RFC 5208) as NPKI uses it: RSA, optional NULL parameter,
 * and an attribute set that may carry randomNum (1.2.410.200004.10.1.1.3). We only read; the bytes themselves are
 * what Dojang keeps and rewrites, so nothing here re-encodes a key.
 */
import { children, DerError, expectTag, readOid, readSingle, readSmallInteger, readUnsignedInteger, TAG, type Tlv } from '../asn1/der'

export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1'
export const OID_NPKI_RANDOM_NUM = '1.2.410.200004.10.1.1.3'

export interface RsaPrivateKey {
  n: Uint8Array
  e: Uint8Array
  d: Uint8Array
  p: Uint8Array
  q: Uint8Array
  dp: Uint8Array
  dq: Uint8Array
  qinv: Uint8Array
}

export interface Pkcs8Attribute {
  oid: string
  /** DER of each value in the attribute's SET. */
  values: Uint8Array[]
}

export interface PrivateKeyInfo {
  algorithmOid: string
  /** Present only for rsaEncryption keys. */
  rsa?: RsaPrivateKey
  attributes: Pkcs8Attribute[]
  /** The randomNum bits (usually 20 bytes) when the attribute is present. */
  randomNum?: Uint8Array
}

/**
 * Parses PrivateKeyInfo strictly: exactly one SEQUENCE filling `plain`, version 0, an AlgorithmIdentifier, an
 * OCTET STRING and an optional [0] attribute set. Throws DerError on any deviation.
 */
export function parsePrivateKeyInfo(plain: Uint8Array): PrivateKeyInfo {
  const top = readSingle(plain, TAG.SEQUENCE)
  const parts = children(top)
  if (parts.length < 3 || parts.length > 4) throw new DerError('PrivateKeyInfo has the wrong number of fields')
  const version = readSmallInteger(expectTag(parts[0], TAG.INTEGER, 'version'))
  if (version !== 0 && version !== 1) throw new DerError('unknown PrivateKeyInfo version')
  const alg = children(expectTag(parts[1], TAG.SEQUENCE, 'privateKeyAlgorithm'))
  const algorithmOid = readOid(expectTag(alg[0], TAG.OID, 'algorithm'))
  const keyOctets = expectTag(parts[2], TAG.OCTET_STRING, 'privateKey')
  const attributes = parts[3] ? parseAttributes(expectTag(parts[3], TAG.CONTEXT_0, 'attributes')) : []

  const info: PrivateKeyInfo = { algorithmOid, attributes }
  if (algorithmOid === OID_RSA_ENCRYPTION) {
    // rsaEncryption takes NULL parameters, which TradeSign omits: accept both, nothing else.
    if (alg.length > 2 || (alg[1] && (alg[1].tag !== TAG.NULL || alg[1].length !== 0))) {
      throw new DerError('rsaEncryption parameters must be NULL or absent')
    }
    info.rsa = parseRsaPrivateKey(keyOctets.value)
  }
  const rn = attributes.find((a) => a.oid === OID_NPKI_RANDOM_NUM)
  if (rn?.values[0]) info.randomNum = readBitStringBytes(rn.values[0])
  return info
}

function parseAttributes(tlv: Tlv): Pkcs8Attribute[] {
  return children(tlv).map((attr) => {
    const [oidTlv, setTlv, extra] = children(expectTag(attr, TAG.SEQUENCE, 'Attribute'))
    if (extra) throw new DerError('Attribute has extra fields')
    const oid = readOid(expectTag(oidTlv, TAG.OID, 'attribute type'))
    const values = children(expectTag(setTlv, TAG.SET, 'attribute values')).map((v) => v.bytes)
    return { oid, values }
  })
}

function parseRsaPrivateKey(der: Uint8Array): RsaPrivateKey {
  const f = children(readSingle(der, TAG.SEQUENCE))
  if (f.length !== 9) throw new DerError('RSAPrivateKey must have nine fields (two-prime keys only)')
  if (readSmallInteger(f[0]!) !== 0) throw new DerError('RSAPrivateKey version must be 0')
  const [n, e, d, p, q, dp, dq, qinv] = f.slice(1).map((t) => readUnsignedInteger(t)) as [
    Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array,
  ]
  return { n, e, d, p, q, dp, dq, qinv }
}

function readBitStringBytes(der: Uint8Array): Uint8Array {
  const t = readSingle(der, TAG.BIT_STRING)
  if (t.value.length < 2 || t.value[0] !== 0) throw new DerError('randomNum must be a whole number of bytes')
  return t.value.subarray(1)
}

const big = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b).toString('hex')))

/**
 * True when the CRT parameters are those of one RSA key. A damaged file decrypted with the right password can
 * still be valid DER (a flipped bit inside an integer); this catches it before we would rewrite it.
 */
export function isConsistentRsaKey(k: RsaPrivateKey): boolean {
  const [n, e, d, p, q, dp, dq, qinv] = [k.n, k.e, k.d, k.p, k.q, k.dp, k.dq, k.qinv].map(big) as [
    bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint,
  ]
  if (p < 2n || q < 2n || e < 3n) return false
  if (p * q !== n) return false
  if (dp !== d % (p - 1n) || dq !== d % (q - 1n)) return false
  if ((e * dp) % (p - 1n) !== 1n || (e * dq) % (q - 1n) !== 1n) return false
  return (qinv * q) % p === 1n
}
