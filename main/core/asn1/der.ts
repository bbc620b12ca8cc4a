/**
 * A small, strict DER reader and writer. pkijs/asn1js are lenient BER parsers, which is right for certificates
 * but wrong for deciding whether a decrypted key is genuine: a wrong password must never "parse". This reader
 * accepts only definite, minimally encoded lengths and low tag numbers, which is all NPKI key files use.
 */

export class DerError extends Error {
  override name = 'DerError'
}

export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  readonly tag: number
  readonly start: number
  readonly headerLength: number
  readonly length: number
  /** Offset just after this element in the source buffer. */
  readonly end: number
  readonly value: Uint8Array
  /** The whole element: header and value. */
  readonly bytes: Uint8Array
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  SEQUENCE: 0x30,
  SET: 0x31,
  CONTEXT_0: 0xa0,
  CONTEXT_0_PRIMITIVE: 0x80,
} as const

/** Reads one element at `offset`. Trailing bytes after it are the caller's business. */
export function readTlv(buf: Uint8Array, offset = 0): Tlv {
  if (offset + 2 > buf.length) throw new DerError('truncated header')
  const tag = buf[offset]!
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used here')
  let pos = offset + 1
  const first = buf[pos++]!
  let length: number
  if (first < 0x80) {
    length = first
  } else {
    const count = first & 0x7f
    if (count === 0) throw new DerError('indefinite length')
    if (count > 4) throw new DerError('length too large')
    if (pos + count > buf.length) throw new DerError('truncated length')
    if (buf[pos] === 0) throw new DerError('non-minimal length')
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + buf[pos++]!
    if (length < 0x80) throw new DerError('non-minimal length')
  }
  const end = pos + length
  if (end > buf.length) throw new DerError('truncated value')
  return {
    tag,
    start: offset,
    headerLength: pos - offset,
    length,
    end,
    value: buf.subarray(pos, end),
    bytes: buf.subarray(offset, end),
  }
}

/** Reads exactly one element that fills `buf` completely. */
export function readSingle(buf: Uint8Array, expectedTag?: number): Tlv {
  const tlv = readTlv(buf, 0)
  if (tlv.end !== buf.length) throw new DerError('unexpected bytes after element')
  if (expectedTag !== undefined && tlv.tag !== expectedTag) throw new DerError(`expected tag ${hexByte(expectedTag)}, found ${hexByte(tlv.tag)}`)
  return tlv
}

/** The children of a constructed element; they must fill its value exactly. */
export function children(tlv: Tlv): Tlv[] {
  if ((tlv.tag & 0x20) === 0) throw new DerError('not a constructed element')
  const out: Tlv[] = []
  let pos = 0
  while (pos < tlv.value.length) {
    const child = readTlv(tlv.value, pos)
    out.push(child)
    pos = child.end
  }
  return out
}

export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv) throw new DerError(`missing ${what}`)
  if (tlv.tag !== tag) throw new DerError(`${what}: expected tag ${hexByte(tag)}, found ${hexByte(tlv.tag)}`)
  return tlv
}

/** A DER INTEGER as an unsigned big-endian magnitude with leading zero bytes removed (negative → error). */
export function readUnsignedInteger(tlv: Tlv): Uint8Array {
  if (tlv.tag !== TAG.INTEGER) throw new DerError('expected INTEGER')
  const v = tlv.value
  if (v.length === 0) throw new DerError('empty INTEGER')
  if (v.length > 1 && ((v[0] === 0 && (v[1]! & 0x80) === 0) || (v[0] === 0xff && (v[1]! & 0x80) !== 0))) {
    throw new DerError('non-minimal INTEGER')
  }
  if ((v[0]! & 0x80) !== 0) throw new DerError('negative INTEGER')
  return stripLeadingZeros(v)
}

/** A small non-negative INTEGER (iteration counts, versions) as a number. */
export function readSmallInteger(tlv: Tlv): number {
  const mag = readUnsignedInteger(tlv)
  if (mag.length > 6) throw new DerError('INTEGER too large')
  let n = 0
  for (const b of mag) n = n * 256 + b
  return n
}

export function readOid(tlv: Tlv): string {
  if (tlv.tag !== TAG.OID) throw new DerError('expected OBJECT IDENTIFIER')
  const v = tlv.value
  if (v.length === 0) throw new DerError('empty OID')
  const arcs: number[] = []
  let acc = 0
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!
    if (acc === 0 && b === 0x80) throw new DerError('non-minimal OID arc')
    acc = acc * 128 + (b & 0x7f)
    if (acc > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OID arc too large')
    if ((b & 0x80) === 0) {
      arcs.push(acc)
      acc = 0
    } else if (i === v.length - 1) {
      throw new DerError('truncated OID')
    }
  }
  const first = arcs.shift()!
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80]
  return [...head, ...arcs].join('.')
}

export function stripLeadingZeros(v: Uint8Array): Uint8Array {
  let i = 0
  while (i < v.length - 1 && v[i] === 0) i++
  return v.subarray(i)
}

// ---- writing ----

export function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length)
  const bytes: number[] = []
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff)
  return Uint8Array.of(0x80 | bytes.length, ...bytes)
}

export function encodeTlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const content = concat(...parts)
  return concat(Uint8Array.of(tag), encodeLength(content.length), content)
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new RangeError(`bad OID ${oid}`)
    return Number(s)
  })
  if (arcs.length < 2) throw new RangeError(`bad OID ${oid}`)
  const body: number[] = []
  const pushArc = (n: number) => {
    const tmp = [n & 0x7f]
    for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) tmp.unshift(0x80 | (n & 0x7f))
    body.push(...tmp)
  }
  pushArc(arcs[0]! * 40 + arcs[1]!)
  for (const a of arcs.slice(2)) pushArc(a)
  return encodeTlv(TAG.OID, Uint8Array.from(body))
}

/** A non-negative INTEGER from a number. */
export function encodeSmallInteger(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('bad integer')
  const bytes: number[] = []
  do {
    bytes.unshift(n & 0xff)
    n = Math.floor(n / 256)
  } while (n > 0)
  if (bytes[0]! & 0x80) bytes.unshift(0)
  return encodeTlv(TAG.INTEGER, Uint8Array.from(bytes))
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let total = 0
  for (const p of parts) total += p.length
  const out = new Uint8Array(total)
  let pos = 0
  for (const p of parts) {
    out.set(p, pos)
    pos += p.length
  }
  return out
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new RangeError('bad hex')
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

function hexByte(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`
}
