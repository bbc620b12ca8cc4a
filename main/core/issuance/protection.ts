/**
 * Message protection (RFC 4210 §5.1.3): PasswordBasedMac keyed by the 인가코드 (§5.1.3.1) and signatures with the
 * current certificate's key. Verification always uses the received ProtectedPart bytes and, for PBM, the
 * parameters from the received message itself (cmp.md §3).
 */
import { createHash, createHmac, createSign, createVerify, timingSafeEqual, X509Certificate, type KeyObject } from 'node:crypto'
import {
  DerError, encodeAlgorithmId, integer, nullValue, octets, readAlgorithmId, readInt, readOctets, readWhole, seq,
  seqChildren, type AlgorithmId,
} from './asn1'

export const OID_PBM = '1.2.840.113533.7.66.13'
export const OID_SHA1 = '1.3.14.3.2.26'
export const OID_SHA256 = '2.16.840.1.101.3.4.2.1'
export const OID_HMAC_SHA1_RFC4210 = '1.3.6.1.5.5.8.1.2'
export const OID_HMAC_SHA1 = '1.2.840.113549.2.7'
export const OID_HMAC_SHA256 = '1.2.840.113549.2.9'
export const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11'
export const OID_SHA1_WITH_RSA = '1.2.840.113549.1.1.5'

/** A hostile or broken peer must not be able to make us hash for minutes (cmp.md §3). */
export const MAX_PBM_ITERATIONS = 100_000

export type OwfName = 'sha1' | 'sha256'
export type MacName = 'hmac-sha1' | 'hmac-sha256'
export type SignatureHash = 'sha256' | 'sha1'

export interface PbmSettings {
  owf: OwfName
  mac: MacName
  iterations: number
}

/** What OpenSSL 3.0's client sends (cmp.md §3), which the mock and OpenSSL-based CAs accept. */
export const DEFAULT_PBM: PbmSettings = { owf: 'sha256', mac: 'hmac-sha1', iterations: 500 }

interface PbmParams {
  salt: Uint8Array
  owf: OwfName
  iterations: number
  mac: MacName
}

const OWF_OIDS: Record<OwfName, string> = { sha1: OID_SHA1, sha256: OID_SHA256 }
const MAC_OIDS: Record<MacName, string> = { 'hmac-sha1': OID_HMAC_SHA1_RFC4210, 'hmac-sha256': OID_HMAC_SHA256 }

export function pbmAlgorithm(s: PbmSettings, salt: Uint8Array): AlgorithmId {
  const params = seq(
    octets(salt),
    encodeAlgorithmId({ oid: OWF_OIDS[s.owf] }),
    integer(s.iterations),
    encodeAlgorithmId({ oid: MAC_OIDS[s.mac] }),
  )
  return { oid: OID_PBM, params }
}

export class UnsupportedProtection extends Error {
  override name = 'UnsupportedProtection'
}

function parsePbmParams(alg: AlgorithmId): PbmParams {
  if (alg.oid !== OID_PBM || !alg.params) throw new DerError('not a PasswordBasedMac')
  const f = seqChildren(readWhole(alg.params, 'PBMParameter'), 'PBMParameter')
  if (f.length !== 4) throw new DerError('PBMParameter must have four fields')
  const salt = readOctets(f[0], 'salt', 128)
  const owfOid = readAlgorithmId(f[1], 'owf').oid
  const iterations = readInt(f[2], 'iterationCount')
  const macOid = readAlgorithmId(f[3], 'mac').oid
  const owf = owfOid === OID_SHA256 ? 'sha256' : owfOid === OID_SHA1 ? 'sha1' : undefined
  const mac = macOid === OID_HMAC_SHA256 ? 'hmac-sha256' : macOid === OID_HMAC_SHA1 || macOid === OID_HMAC_SHA1_RFC4210 ? 'hmac-sha1' : undefined
  if (!owf) throw new UnsupportedProtection(`PBM one-way function ${owfOid}`)
  if (!mac) throw new UnsupportedProtection(`PBM MAC ${macOid}`)
  if (iterations < 1 || iterations > MAX_PBM_ITERATIONS) throw new UnsupportedProtection(`PBM iteration count ${iterations}`)
  return { salt, owf, iterations, mac }
}

function pbmMac(secret: Uint8Array, p: PbmParams, data: Uint8Array): Uint8Array {
  let key: Buffer = createHash(p.owf).update(secret).update(p.salt).digest()
  for (let i = 1; i < p.iterations; i++) key = createHash(p.owf).update(key).digest()
  const mac = createHmac(p.mac === 'hmac-sha256' ? 'sha256' : 'sha1', key).update(data).digest()
  key.fill(0)
  return new Uint8Array(mac)
}

/** The MAC for `protectedPart` under the parameters carried by `alg` (as we encoded them, or as received). */
export function computePbm(secret: Uint8Array, alg: AlgorithmId, protectedPart: Uint8Array): Uint8Array {
  return pbmMac(secret, parsePbmParams(alg), protectedPart)
}

/** True when the MAC verifies. Throws DerError / UnsupportedProtection for unusable parameters. */
export function verifyPbm(secret: Uint8Array, alg: AlgorithmId, protectedPart: Uint8Array, protection: Uint8Array): boolean {
  const expected = computePbm(secret, alg, protectedPart)
  return expected.length === protection.length && timingSafeEqual(expected, protection)
}

// ---- Signatures ----

export function signatureAlgorithm(hash: SignatureHash): AlgorithmId {
  return { oid: hash === 'sha1' ? OID_SHA1_WITH_RSA : OID_SHA256_WITH_RSA, params: nullValue() }
}

export function sign(key: KeyObject, hash: SignatureHash, data: Uint8Array): Uint8Array {
  return new Uint8Array(createSign(hash === 'sha1' ? 'RSA-SHA1' : 'RSA-SHA256').update(data).sign(key))
}

const SIG_HASH: Record<string, SignatureHash> = { [OID_SHA256_WITH_RSA]: 'sha256', [OID_SHA1_WITH_RSA]: 'sha1' }

export function verifySignature(alg: AlgorithmId, publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const hash = SIG_HASH[alg.oid]
  if (!hash) throw new UnsupportedProtection(`signature algorithm ${alg.oid}`)
  return createVerify(hash === 'sha1' ? 'RSA-SHA1' : 'RSA-SHA256').update(data).verify(publicKey, signature)
}

/**
 * Whether `leaf` chains to `anchor`, directly or through at most three intermediates from `pool`, every link
 * signed, issued by name and valid at `now`. Certificates the CA hands us are only ever a path, never a trust
 * anchor.
 */
export function chainsTo(leaf: X509Certificate, anchor: X509Certificate, pool: X509Certificate[], now: Date): boolean {
  const valid = (c: X509Certificate) => new Date(c.validFrom) <= now && now <= new Date(c.validTo)
  if (!valid(anchor)) return false
  let current = leaf
  for (let depth = 0; depth < 4; depth++) {
    if (!valid(current)) return false
    if (current.raw.equals(anchor.raw)) return true
    if (current.checkIssued(anchor) && current.verify(anchor.publicKey)) return true
    const next = pool.find((c) => c.ca && !c.raw.equals(current.raw) && current.checkIssued(c) && current.verify(c.publicKey))
    if (!next) return false
    current = next
  }
  return false
}

/** For tests and diagnostics: which OWF/MAC/iterations a received PBM used (no secret involved). */
export function describePbm(alg: AlgorithmId): PbmSettings & { saltLength: number } {
  const p = parsePbmParams(alg)
  return { owf: p.owf, mac: p.mac, iterations: p.iterations, saltLength: p.salt.length }
}

