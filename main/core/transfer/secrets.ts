/**
 * The two secrets of a transfer session (qr-transfer.md §4.1): the session id `sid` (in the URL path, seen by the
 * server and by anyone on the network) and the 256-bit session key `k` (only in the URL fragment, which browsers
 * never send to a server). Both are fresh per session and never logged.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

export interface SessionSecrets {
  /** 16 random bytes as base64url (22 characters). */
  sid: string
  /** 32 random bytes: the AES-256-GCM key and the HMAC key of the confirmation code. Secret. */
  key: Uint8Array
}

export function newSessionSecrets(): SessionSecrets {
  return { sid: randomBytes(16).toString('base64url'), key: new Uint8Array(randomBytes(32)) }
}

export function keyToBase64url(key: Uint8Array): string {
  return Buffer.from(key).toString('base64url')
}

/** Compares a presented session id with the real one in constant time (for ids of the same length). */
export function sameSid(presented: string, actual: string): boolean {
  const a = Buffer.from(presented, 'utf8')
  const b = Buffer.from(actual, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}
