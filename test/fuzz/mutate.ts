/**
 * Seeded mutations for the fuzzer: every input is reproducible from (seed, target, index). Byte-level mutations
 * (flip bits, set bytes, truncate, extend, duplicate or delete a chunk) and DER-aware ones that rewrite the length
 * of a real TLV header of the seed (±1, zero, huge, indefinite, non-minimal), which is where parsers go wrong.
 */
import { readTlv, type Tlv } from '../../main/core/asn1/der'

/** mulberry32: small, fast, good enough to spread mutations; not for secrets. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A 32-bit seed for one input, from the run's seed, the target's name and the input's index. */
export function inputSeed(seed: number, target: string, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0
  for (const ch of `${target}#${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0
  return h
}

export type Rand = () => number
const int = (r: Rand, n: number): number => Math.floor(r() * n)

/** Offsets of the TLV headers in a DER buffer (walked as deep as it parses). */
export function derHeaders(buf: Uint8Array): { start: number; headerLength: number; length: number }[] {
  const out: { start: number; headerLength: number; length: number }[] = []
  const walk = (offset: number, end: number, depth: number) => {
    let pos = offset
    while (pos < end && depth < 24 && out.length < 4096) {
      let t: Tlv
      try {
        t = readTlv(buf, pos)
      } catch {
        return
      }
      if (t.end > end) return
      out.push({ start: t.start, headerLength: t.headerLength, length: t.length })
      // Constructed, or an OCTET/BIT STRING that may wrap DER (extensions, PKCS#12 contents).
      if (t.tag & 0x20) walk(t.start + t.headerLength, t.end, depth + 1)
      else if (t.tag === 0x04 || t.tag === 0x03) walk(t.start + t.headerLength + (t.tag === 0x03 ? 1 : 0), t.end, depth + 1)
      pos = t.end
    }
  }
  walk(0, buf.length, 0)
  return out
}

function encodeLength(n: number): number[] {
  if (n < 0x80) return [n]
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return [0x80 | bytes.length, ...bytes]
}

function spliceLength(buf: Uint8Array, r: Rand, headers: ReturnType<typeof derHeaders>): Uint8Array {
  if (headers.length === 0) return flipBits(buf, r)
  const h = headers[int(r, headers.length)]!
  const choices: number[][] = [
    encodeLength(Math.max(0, h.length - 1)),
    encodeLength(h.length + 1),
    encodeLength(h.length + 1 + int(r, 1000)),
    [0x00],
    [0x80], // indefinite (BER)
    [0x84, 0xff, 0xff, 0xff, 0xff],
    [0x82, 0x00, h.length & 0x7f], // non-minimal
    [0x85, 1, 2, 3, 4, 5], // too many length bytes
    encodeLength(int(r, 1 << 24)),
  ]
  const len = choices[int(r, choices.length)]!
  const lenStart = h.start + 1
  const out = new Uint8Array(buf.length - (h.headerLength - 1) + len.length)
  out.set(buf.subarray(0, lenStart), 0)
  out.set(len, lenStart)
  out.set(buf.subarray(h.start + h.headerLength), lenStart + len.length)
  return out
}

function flipBits(buf: Uint8Array, r: Rand): Uint8Array {
  const out = buf.slice()
  if (out.length === 0) return Uint8Array.of(int(r, 256))
  for (let i = 0, n = 1 + int(r, 4); i < n; i++) out[int(r, out.length)]! ^= 1 << int(r, 8)
  return out
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0xff, 0x30, 0x04, 0x02, 0x06, 0xa0]

/** One to four mutations of `seed`, chosen by `r`. */
export function mutate(seed: Uint8Array, r: Rand, headers = derHeaders(seed)): Uint8Array {
  let buf = seed
  for (let k = 0, n = 1 + int(r, 4); k < n; k++) {
    switch (int(r, 8)) {
      case 0:
        buf = flipBits(buf, r)
        break
      case 1: {
        buf = buf.slice()
        if (buf.length) buf[int(r, buf.length)] = INTERESTING[int(r, INTERESTING.length)]!
        break
      }
      case 2:
        buf = buf.subarray(0, int(r, buf.length + 1)).slice() // truncate
        break
      case 3: {
        const extra = new Uint8Array(1 + int(r, 64)).map(() => int(r, 256))
        const out = new Uint8Array(buf.length + extra.length)
        out.set(buf)
        out.set(extra, buf.length)
        buf = out // extend
        break
      }
      case 4: {
        if (buf.length < 2) break
        const a = int(r, buf.length)
        const b = Math.min(buf.length, a + 1 + int(r, 64))
        const at = int(r, buf.length)
        const out = new Uint8Array(buf.length + (b - a))
        out.set(buf.subarray(0, at))
        out.set(buf.subarray(a, b), at)
        out.set(buf.subarray(at), at + (b - a))
        buf = out // duplicate a chunk
        break
      }
      case 5: {
        if (buf.length < 2) break
        const a = int(r, buf.length)
        const b = Math.min(buf.length, a + 1 + int(r, 64))
        const out = new Uint8Array(buf.length - (b - a))
        out.set(buf.subarray(0, a))
        out.set(buf.subarray(b), a)
        buf = out // delete a chunk
        break
      }
      default:
        // DER lengths are the richest seam: weight them x2. Headers come from the seed, so only the first splice
        // is exact; later ones still land on header-like bytes.
        buf = spliceLength(buf, r, buf === seed ? headers : derHeaders(buf))
    }
  }
  return buf
}
