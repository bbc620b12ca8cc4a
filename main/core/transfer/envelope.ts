/**
 * The sealed envelope both directions use (qr-transfer.md §4.2), desktop side on node:crypto. The phone side is the
 * same format on @noble/ciphers (phone/crypto.ts); tests check that each opens what the other seals.
 *
 *   envelope = 0x01 (version) ‖ iv (12 random bytes) ‖ AES-256-GCM ciphertext ‖ tag (16)
 *   AAD      = ASCII "dojang-qr/v1/" ‖ sid ‖ "/" ‖ direction      direction: "down" (PC → phone) or "up" (phone → PC)
 *
 * The AAD binds an envelope to its session and direction: one sealed for another session, or an upload replayed
 * as a download, fails the tag check.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { DojangError } from '../../../common/errors'

export const ENVELOPE_VERSION = 1
export const IV_BYTES = 12
export const TAG_BYTES = 16
export type Direction = 'down' | 'up'

export function envelopeAad(sid: string, direction: Direction): Uint8Array {
  return new TextEncoder().encode(`dojang-qr/v1/${sid}/${direction}`)
}

export function sealEnvelope(key: Uint8Array, sid: string, direction: Direction, plaintext: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new DojangError('INTERNAL', 'A transfer key must be 32 bytes')
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(envelopeAad(sid, direction))
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return new Uint8Array(Buffer.concat([Buffer.from([ENVELOPE_VERSION]), iv, body, cipher.getAuthTag()]))
}

/** Opens an envelope; anything that is not intact (wrong key, session, direction, version or a flipped bit) is CORRUPT_FILE. */
export function openEnvelope(key: Uint8Array, sid: string, direction: Direction, envelope: Uint8Array): Uint8Array {
  if (envelope.length < 1 + IV_BYTES + TAG_BYTES || envelope[0] !== ENVELOPE_VERSION) {
    throw new DojangError('CORRUPT_FILE', 'The transferred data is not a Dojang envelope', { bytes: envelope.length })
  }
  const iv = envelope.subarray(1, 1 + IV_BYTES)
  const tag = envelope.subarray(envelope.length - TAG_BYTES)
  const body = envelope.subarray(1 + IV_BYTES, envelope.length - TAG_BYTES)
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
    decipher.setAAD(envelopeAad(sid, direction))
    decipher.setAuthTag(tag)
    return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]))
  } catch (e) {
    throw new DojangError('CORRUPT_FILE', 'The transferred data was altered or sealed with another key', {}, { cause: e })
  }
}
