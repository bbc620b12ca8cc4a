/**
 * The plaintext inside an envelope (pure: also bundled into the phone page): a small JSON header followed by raw
 * file bytes, so certificate files travel byte for byte without base64.
 *
 *   frame = u32be headerLength ‖ header JSON (UTF-8) ‖ blob₀ ‖ blob₁ ‖ …
 *   header JSON = { "h": <what the blobs are>, "s": [size₀, size₁, …] }
 */
export interface Frame<H> {
  header: H
  blobs: Uint8Array[]
}

export class FrameError extends Error {}

/** Frames are small (a few certificates); anything bigger is refused before parsing. */
export const MAX_FRAME_HEADER = 64 * 1024

export function encodeFrame<H>(header: H, blobs: readonly Uint8Array[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ h: header, s: blobs.map((b) => b.length) }))
  const total = 4 + json.length + blobs.reduce((n, b) => n + b.length, 0)
  const out = new Uint8Array(total)
  new DataView(out.buffer).setUint32(0, json.length)
  out.set(json, 4)
  let at = 4 + json.length
  for (const b of blobs) {
    out.set(b, at)
    at += b.length
  }
  return out
}

/** Splits a frame; the header is returned unvalidated (`unknown`) for the caller to check. */
export function decodeFrame(bytes: Uint8Array): Frame<unknown> {
  if (bytes.length < 4) throw new FrameError('frame too short')
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0)
  if (headerLength > MAX_FRAME_HEADER || 4 + headerLength > bytes.length) throw new FrameError('bad frame header length')
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(4, 4 + headerLength)))
  } catch {
    throw new FrameError('frame header is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || !('s' in parsed) || !Array.isArray(parsed.s)) throw new FrameError('frame header has no sizes')
  const sizes: unknown[] = parsed.s
  const blobs: Uint8Array[] = []
  let at = 4 + headerLength
  for (const size of sizes) {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || at + size > bytes.length) throw new FrameError('bad blob size')
    blobs.push(bytes.subarray(at, at + size))
    at += size
  }
  if (at !== bytes.length) throw new FrameError('trailing bytes after the last blob')
  return { header: 'h' in parsed ? parsed.h : undefined, blobs }
}
