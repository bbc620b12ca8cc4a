/**
 * The short confirmation code both screens show once a phone claims the session (qr-transfer.md §4.4).
 *
 *   np   = 16 random bytes the phone makes (crypto.getRandomValues) and sends in its claim
 *   mac  = HMAC-SHA256(key = session key k, data = ASCII "dojang-qr/v1/sas/" ‖ sid ‖ np)
 *   code = (first 4 bytes of mac, unsigned big-endian) mod 1,000,000, as 6 digits
 *
 * The desktop computes it here with node:crypto; the phone page computes it from the key in its URL fragment with
 * @noble/hashes (phone/crypto.ts). A device that claimed without the key (someone who only saw the traffic, or
 * guessed the URL path) cannot show the code the desktop shows, so the person confirms only the phone that scanned
 * the QR. Note what it does not stop: an active attacker who replaces the page (see docs/qr-transfer.md).
 */
import { createHmac } from 'node:crypto'

export const NONCE_BYTES = 16
export const SAS_LABEL = 'dojang-qr/v1/sas/'

export function confirmationCode(key: Uint8Array, sid: string, phoneNonce: Uint8Array): string {
  const mac = createHmac('sha256', key).update(SAS_LABEL + sid, 'utf8').update(phoneNonce).digest()
  return String(mac.readUInt32BE(0) % 1_000_000).padStart(6, '0')
}

/** "482193" → "482 193", how both screens print it. */
export function formatCode(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`
}
