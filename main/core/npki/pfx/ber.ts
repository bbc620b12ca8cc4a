/**
 * BER → DER for PKCS#12 containers. RFC 7292 allows BER, and some exporters (NSS/Firefox, old Java) write
 * indefinite lengths and OCTET STRINGs split into constructed chunks. Everything after this step runs on the strict
 * DER reader, so the normalisation is the only lenient code. DER input comes out byte for byte unchanged, which
 * keeps key and certificate bytes exact, and the content octets of an OCTET STRING (what the PKCS#12 MAC covers)
 * are the same in both forms.
 */
import { concat, DerError, encodeLength } from '../../asn1/der'

const MAX_DEPTH = 40
const OCTET_STRING = 0x04
const CONSTRUCTED_OCTET_STRING = 0x24

interface Parsed {
  der: Uint8Array
  /** Offset just after the element (after its end-of-contents octets when indefinite). */
  next: number
  /** Content octets, for merging chunks of a constructed OCTET STRING. */
  content: Uint8Array
  tag: number
}

function parse(buf: Uint8Array, pos: number, limit: number, depth: number): Parsed {
  if (depth > MAX_DEPTH) throw new DerError('nesting too deep')
  if (pos + 2 > limit) throw new DerError('truncated header')
  const tag = buf[pos]!
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used here')
  let p = pos + 1
  const first = buf[p++]!
  const constructed = (tag & 0x20) !== 0
  let end: number | undefined
  if (first === 0x80) {
    if (!constructed) throw new DerError('indefinite length on a primitive element')
  } else if (first < 0x80) {
    end = p + first
  } else {
    const count = first & 0x7f
    if (count > 4) throw new DerError('length too large')
    if (p + count > limit) throw new DerError('truncated length')
    let len = 0
    for (let i = 0; i < count; i++) len = len * 256 + buf[p++]!
    end = p + len
  }
  if (end !== undefined && end > limit) throw new DerError('truncated value')

  if (!constructed) {
    const content = buf.subarray(p, end)
    return { der: concat(Uint8Array.of(tag), encodeLength(content.length), content), next: end!, content, tag }
  }
  const kids: Parsed[] = []
  for (;;) {
    if (end === undefined) {
      if (p + 2 > limit) throw new DerError('missing end-of-contents')
      if (buf[p] === 0 && buf[p + 1] === 0) {
        p += 2
        break
      }
    } else if (p >= end) {
      break
    }
    const kid = parse(buf, p, end ?? limit, depth + 1)
    kids.push(kid)
    p = kid.next
  }
  if (end !== undefined && p !== end) throw new DerError('children overrun their parent')
  if (tag === CONSTRUCTED_OCTET_STRING) {
    if (kids.some((k) => k.tag !== OCTET_STRING)) throw new DerError('constructed OCTET STRING with a non-OCTET STRING chunk')
    const content = concat(...kids.map((k) => k.content))
    return { der: concat(Uint8Array.of(OCTET_STRING), encodeLength(content.length), content), next: p, content, tag: OCTET_STRING }
  }
  const content = concat(...kids.map((k) => k.der))
  return { der: concat(Uint8Array.of(tag), encodeLength(content.length), content), next: p, content, tag }
}

/**
 * Normalises the first element of `buf` to DER and returns it with the offset where it ended in `buf`. Throws
 * DerError on anything that is not well-formed BER.
 */
export function berToDer(buf: Uint8Array): { der: Uint8Array; end: number } {
  const r = parse(buf, 0, buf.length, 0)
  return { der: r.der, end: r.next }
}

/** Normalises an element that must fill `buf` completely. */
export function berToDerExact(buf: Uint8Array): Uint8Array {
  const { der, end } = berToDer(buf)
  if (end !== buf.length) throw new DerError('unexpected bytes after element')
  return der
}
