/**
 * The phone page's crypto (pure JS, bundled into the page): a LAN page served over plain http is not a secure
 * context, so phone browsers give it no WebCrypto (qr-transfer.md §2). Same formats as ../envelope.ts and
 * ../code.ts, on @noble/ciphers (AES-256-GCM) and @noble/hashes (HMAC-SHA256). Randomness is passed in, so this
 * module runs unchanged in Node tests; the page passes crypto.getRandomValues, which non-secure pages still have.
 */
import { gcm } from '@noble/ciphers/aes.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'

export type Direction = 'down' | 'up'
const VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16

function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s)
}

function aad(sid: string, direction: Direction): Uint8Array {
  return ascii(`dojang-qr/v1/${sid}/${direction}`)
}

/** Throws on anything that is not an intact envelope for this key, session and direction. */
export function openEnvelope(key: Uint8Array, sid: string, direction: Direction, envelope: Uint8Array): Uint8Array {
  if (envelope.length < 1 + IV_BYTES + TAG_BYTES || envelope[0] !== VERSION) throw new Error('not a Dojang envelope')
  return gcm(key, envelope.subarray(1, 1 + IV_BYTES), aad(sid, direction)).decrypt(envelope.subarray(1 + IV_BYTES))
}

export function sealEnvelope(key: Uint8Array, sid: string, direction: Direction, plaintext: Uint8Array, iv: Uint8Array): Uint8Array {
  if (iv.length !== IV_BYTES) throw new Error('the IV must be 12 bytes')
  const body = gcm(key, iv, aad(sid, direction)).encrypt(plaintext)
  const out = new Uint8Array(1 + IV_BYTES + body.length)
  out[0] = VERSION
  out.set(iv, 1)
  out.set(body, 1 + IV_BYTES)
  return out
}

/** The 6-digit confirmation code; see ../code.ts for the definition both sides follow. */
export function confirmationCode(key: Uint8Array, sid: string, phoneNonce: Uint8Array): string {
  const label = ascii(`dojang-qr/v1/sas/${sid}`)
  const data = new Uint8Array(label.length + phoneNonce.length)
  data.set(label)
  data.set(phoneNonce, label.length)
  const mac = hmac(sha256, key, data)
  const n = ((mac[0] as number) * 2 ** 24 + ((mac[1] as number) << 16) + ((mac[2] as number) << 8) + (mac[3] as number)) % 1_000_000
  return String(n).padStart(6, '0')
}

/** base64url without padding → bytes (the key in the URL fragment). */
export function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url')
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}
