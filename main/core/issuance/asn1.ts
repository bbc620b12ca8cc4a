/**
 * DER helpers for CMP (RFC 4210) and CRMF (RFC 4211) on top of the project's strict DER reader/writer. A CA's
 * answer is hostile input: every reader here throws DerError on anything unexpected, and the message decoder
 * turns that into CA_BAD_RESPONSE. Nothing is re-encoded for verification: protection is checked over the bytes
 * as received.
 */
import {
  children, concat, DerError, encodeOid, encodeTlv, expectTag, readOid, readTlv, TAG, type Tlv,
} from '../asn1/der'

export { children, concat, DerError, encodeOid, encodeTlv, expectTag, readOid, readTlv, TAG, type Tlv }

export const T = {
  ...TAG,
  BOOLEAN: 0x01,
  ENUMERATED: 0x0a,
  GENERALIZED_TIME: 0x18,
  IA5_STRING: 0x16,
} as const

/** Context-specific constructed tag [n] (explicit tagging, or implicit over a constructed type). */
export const ctx = (n: number): number => 0xa0 | n
/** Context-specific primitive tag [n] (implicit over a primitive type). */
export const ctxPrim = (n: number): number => 0x80 | n

export function seq(...parts: Uint8Array[]): Uint8Array {
  return encodeTlv(T.SEQUENCE, ...parts)
}

export function explicit(n: number, inner: Uint8Array): Uint8Array {
  return encodeTlv(ctx(n), inner)
}

export function octets(b: Uint8Array): Uint8Array {
  return encodeTlv(T.OCTET_STRING, b)
}

/** BIT STRING with no unused bits (signatures, MACs, randomNum). */
export function bitString(b: Uint8Array): Uint8Array {
  return encodeTlv(T.BIT_STRING, Uint8Array.of(0), b)
}

export function utf8(s: string): Uint8Array {
  return encodeTlv(T.UTF8_STRING, new TextEncoder().encode(s))
}

export function nullValue(): Uint8Array {
  return Uint8Array.of(0x05, 0x00)
}

export function integer(n: number): Uint8Array {
  if (!Number.isSafeInteger(n)) throw new RangeError('bad integer')
  if (n >= 0) {
    const bytes: number[] = []
    let v = n
    do {
      bytes.unshift(v & 0xff)
      v = Math.floor(v / 256)
    } while (v > 0)
    if (bytes[0]! & 0x80) bytes.unshift(0)
    return encodeTlv(T.INTEGER, Uint8Array.from(bytes))
  }
  throw new RangeError('negative integers are not used here')
}

/** GeneralizedTime in the DER form YYYYMMDDHHMMSSZ. */
export function generalizedTime(d: Date): Uint8Array {
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  const s = `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`
  return encodeTlv(T.GENERALIZED_TIME, new TextEncoder().encode(s))
}

export function readGeneralizedTime(tlv: Tlv): Date {
  expectTag(tlv, T.GENERALIZED_TIME, 'GeneralizedTime')
  const s = new TextDecoder().decode(tlv.value)
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d{1,9})?Z$/.exec(s)
  if (!m) throw new DerError('GeneralizedTime must be UTC (…Z)')
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!))
  if (Number.isNaN(d.getTime())) throw new DerError('impossible GeneralizedTime')
  return d
}

/** A signed INTEGER as a JS number; CMP's small integers (pvno, status, certReqId, checkAfter) only. */
export function readInt(tlv: Tlv | undefined, what: string): number {
  const t = expectTag(tlv, T.INTEGER, what)
  const v = t.value
  if (v.length === 0 || v.length > 6) throw new DerError(`${what}: INTEGER out of range`)
  if (v.length > 1 && ((v[0] === 0 && (v[1]! & 0x80) === 0) || (v[0] === 0xff && (v[1]! & 0x80) !== 0))) {
    throw new DerError(`${what}: non-minimal INTEGER`)
  }
  let n = 0
  for (const b of v) n = n * 256 + b
  return v[0]! & 0x80 ? n - 2 ** (8 * v.length) : n
}

export function readOctets(tlv: Tlv | undefined, what: string, maxLength = 1 << 16): Uint8Array {
  const t = expectTag(tlv, T.OCTET_STRING, what)
  if (t.value.length > maxLength) throw new DerError(`${what} is too long`)
  return t.value
}

/** BIT STRING content bytes; `allowUnused` for named-bit lists such as PKIFailureInfo. */
export function readBitString(tlv: Tlv | undefined, what: string, allowUnused = false): { bytes: Uint8Array; unused: number } {
  const t = expectTag(tlv, T.BIT_STRING, what)
  if (t.value.length === 0) throw new DerError(`${what}: empty BIT STRING`)
  const unused = t.value[0]!
  if (unused > 7 || (unused !== 0 && !allowUnused) || (t.value.length === 1 && unused !== 0)) throw new DerError(`${what}: bad unused-bits count`)
  return { bytes: t.value.subarray(1), unused }
}

/** The only element inside an explicit tag. */
export function unwrapExplicit(tlv: Tlv, n: number, what: string): Tlv {
  expectTag(tlv, ctx(n), what)
  const inner = children(tlv)
  if (inner.length !== 1) throw new DerError(`${what}: explicit tag must hold exactly one element`)
  return inner[0]!
}

/** A SEQUENCE's children; `what` names it in errors. */
export function seqChildren(tlv: Tlv | undefined, what: string): Tlv[] {
  return children(expectTag(tlv, T.SEQUENCE, what))
}

/** An AlgorithmIdentifier: OID and the DER of its parameters (if any). */
export interface AlgorithmId {
  oid: string
  params?: Uint8Array
}

export function encodeAlgorithmId(a: AlgorithmId): Uint8Array {
  return seq(encodeOid(a.oid), ...(a.params ? [a.params] : []))
}

export function readAlgorithmId(tlv: Tlv | undefined, what: string): AlgorithmId {
  const parts = seqChildren(tlv, what)
  if (parts.length < 1 || parts.length > 2) throw new DerError(`${what}: AlgorithmIdentifier has ${parts.length} fields`)
  const oid = readOid(expectTag(parts[0], T.OID, `${what} algorithm`))
  return parts[1] ? { oid, params: parts[1].bytes } : { oid }
}

/** PKIFreeText ::= SEQUENCE OF UTF8String, bounded so a hostile CA cannot flood a message box or a log. */
export function readFreeText(tlv: Tlv, what: string): string[] {
  const out: string[] = []
  for (const s of seqChildren(tlv, what).slice(0, 8)) {
    expectTag(s, T.UTF8_STRING, what)
    const text = new TextDecoder('utf-8', { fatal: false }).decode(s.value)
    // eslint-disable-next-line no-control-regex -- control characters from a CA are not shown
    out.push(text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200))
  }
  return out
}

export function encodeFreeText(lines: string[]): Uint8Array {
  return seq(...lines.map(utf8))
}

/** Exactly one element filling `buf`. */
export function readWhole(buf: Uint8Array, what: string): Tlv {
  const t = readTlv(buf, 0)
  if (t.end !== buf.length) throw new DerError(`${what}: unexpected bytes after the element`)
  return t
}

// ---- Distinguished names ----

const DN_OIDS: Record<string, string> = {
  C: '2.5.4.6',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  SERIALNUMBER: '2.5.4.5',
  E: '1.2.840.113549.1.9.1',
}

/**
 * Encodes an OpenSSL-style DN "/C=KR/O=yessign/OU=personal4IB/CN=…" (least specific first, as in the
 * certificate) into a Name. C and serialNumber are PrintableString, e-mail IA5String, everything else UTF8String.
 */
export function encodeDn(dn: string): Uint8Array {
  const trimmed = dn.trim()
  if (trimmed === '' || trimmed === '/') return seq()
  if (!trimmed.startsWith('/')) throw new RangeError('a DN must look like /C=KR/O=…/CN=…')
  const rdns = trimmed
    .slice(1)
    .split(/(?<!\\)\//)
    .map((part) => {
      const eq = part.indexOf('=')
      if (eq <= 0) throw new RangeError(`bad DN component "${part}"`)
      const key = part.slice(0, eq).trim().toUpperCase()
      const value = part.slice(eq + 1).replace(/\\\//g, '/')
      const oid = DN_OIDS[key]
      if (!oid) throw new RangeError(`unknown DN attribute ${key}`)
      if (value.length === 0 || value.length > 256) throw new RangeError(`DN attribute ${key} has a bad length`)
      let str: Uint8Array
      if (key === 'C' || key === 'SERIALNUMBER') {
        if (!/^[A-Za-z0-9 '()+,\-./:=?]+$/.test(value)) throw new RangeError(`${key} must be printable ASCII`)
        str = encodeTlv(T.PRINTABLE_STRING, new TextEncoder().encode(value))
      } else if (key === 'E') {
        str = encodeTlv(T.IA5_STRING, new TextEncoder().encode(value))
      } else {
        str = utf8(value)
      }
      return encodeTlv(T.SET, seq(encodeOid(oid), str))
    })
  return seq(...rdns)
}

/** GeneralName directoryName [4]: explicit because Name is a CHOICE. */
export function directoryName(nameDer: Uint8Array): Uint8Array {
  return explicit(4, nameDer)
}
