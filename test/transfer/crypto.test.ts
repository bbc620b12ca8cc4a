import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { confirmationCode, formatCode } from '../../main/core/transfer/code'
import { openEnvelope, sealEnvelope } from '../../main/core/transfer/envelope'
import * as phone from '../../main/core/transfer/phone/crypto'
import { keyToBase64url, newSessionSecrets, sameSid } from '../../main/core/transfer/secrets'

const bytes = (n: number) => new Uint8Array(randomBytes(n))

describe('session secrets', () => {
  it('are fresh 128-bit ids and 256-bit keys, base64url', () => {
    const a = newSessionSecrets()
    const b = newSessionSecrets()
    expect(a.sid).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(a.key).toHaveLength(32)
    expect(keyToBase64url(a.key)).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(a.sid).not.toBe(b.sid)
    expect(Buffer.from(a.key).equals(Buffer.from(b.key))).toBe(false)
    expect(phone.fromBase64url(keyToBase64url(a.key))).toEqual(a.key)
  })

  it('compare session ids without early exit and reject other lengths', () => {
    expect(sameSid('abc', 'abc')).toBe(true)
    expect(sameSid('abd', 'abc')).toBe(false)
    expect(sameSid('ab', 'abc')).toBe(false)
  })
})

describe('envelope (AES-256-GCM)', () => {
  const key = bytes(32)
  const sid = 'c2Vzc2lvbi1pZC0xMjM0NTY'
  const plain = new TextEncoder().encode('signPri.key bytes stay encrypted with the certificate password')

  it('has the documented layout: version 1, 12-byte IV, ciphertext, 16-byte tag', () => {
    const env = sealEnvelope(key, sid, 'down', plain)
    expect(env[0]).toBe(1)
    expect(env.length).toBe(1 + 12 + plain.length + 16)
    expect(openEnvelope(key, sid, 'down', env)).toEqual(plain)
    // A fresh IV every time.
    expect(Buffer.from(sealEnvelope(key, sid, 'down', plain)).equals(Buffer.from(env))).toBe(false)
  })

  it('node:crypto seals what the phone (@noble/ciphers) opens, and the other way round', () => {
    expect(phone.openEnvelope(key, sid, 'down', sealEnvelope(key, sid, 'down', plain))).toEqual(plain)
    expect(openEnvelope(key, sid, 'up', phone.sealEnvelope(key, sid, 'up', plain, bytes(12)))).toEqual(plain)
  })

  it.each([
    ['another key', (e: Uint8Array) => openEnvelope(bytes(32), sid, 'down', e)],
    ['another session', (e: Uint8Array) => openEnvelope(key, sid + 'x', 'down', e)],
    ['the other direction', (e: Uint8Array) => openEnvelope(key, sid, 'up', e)],
    ['a flipped ciphertext bit', (e: Uint8Array) => openEnvelope(key, sid, 'down', flip(e, 20))],
    ['a flipped tag bit', (e: Uint8Array) => openEnvelope(key, sid, 'down', flip(e, e.length - 1))],
    ['a flipped IV bit', (e: Uint8Array) => openEnvelope(key, sid, 'down', flip(e, 3))],
    ['another version byte', (e: Uint8Array) => openEnvelope(key, sid, 'down', withByte(e, 0, 2))],
    ['a truncated envelope', (e: Uint8Array) => openEnvelope(key, sid, 'down', e.subarray(0, 20))],
  ])('refuses %s on the desktop with CORRUPT_FILE', (_what, open) => {
    const env = sealEnvelope(key, sid, 'down', plain)
    let caught: unknown
    try {
      open(env)
    } catch (e) {
      caught = e
    }
    expect(isDojangError(caught, 'CORRUPT_FILE')).toBe(true)
  })

  it('refuses tampering on the phone too', () => {
    const env = sealEnvelope(key, sid, 'down', plain)
    expect(() => phone.openEnvelope(key, sid, 'down', flip(env, 30))).toThrow()
    expect(() => phone.openEnvelope(key, sid, 'up', env)).toThrow()
    expect(() => phone.openEnvelope(bytes(32), sid, 'down', env)).toThrow()
  })

  it('never puts the key or the plaintext in its error', () => {
    let caught: unknown
    try {
      openEnvelope(key, sid, 'down', flip(sealEnvelope(key, sid, 'down', plain), 20))
    } catch (e) {
      caught = e
    }
    expect(isDojangError(caught)).toBe(true)
    const text = JSON.stringify({ m: (caught as Error).message, d: (caught as { details?: unknown }).details })
    expect(text).not.toContain(keyToBase64url(key))
    expect(text).not.toContain('signPri.key bytes')
  })
})

describe('confirmation code', () => {
  it('is the documented HMAC-SHA256 truncation, equal on the desktop and the phone', () => {
    for (let i = 0; i < 20; i++) {
      const key = bytes(32)
      const np = bytes(16)
      const sid = keyToBase64url(bytes(16))
      const mac = createHmac('sha256', key).update(`dojang-qr/v1/sas/${sid}`).update(np).digest()
      const expected = String(mac.readUInt32BE(0) % 1_000_000).padStart(6, '0')
      expect(confirmationCode(key, sid, np)).toBe(expected)
      expect(phone.confirmationCode(key, sid, np)).toBe(expected)
      expect(expected).toMatch(/^\d{6}$/)
    }
  })

  it('depends on the key, the session and the phone nonce', () => {
    const key = bytes(32)
    const np = bytes(16)
    const codes = new Set([confirmationCode(key, 'sid-a', np), confirmationCode(bytes(32), 'sid-a', np), confirmationCode(key, 'sid-b', np), confirmationCode(key, 'sid-a', bytes(16))])
    // Four 6-digit values collide with probability ~6e-6: treat a collision as a failure.
    expect(codes.size).toBe(4)
  })

  it('prints as two groups of three', () => {
    expect(formatCode('482193')).toBe('482 193')
    expect(formatCode('007001')).toBe('007 001')
  })
})

function flip(e: Uint8Array, at: number): Uint8Array {
  const c = new Uint8Array(e)
  c[at] = (c[at] as number) ^ 0x01
  return c
}

function withByte(e: Uint8Array, at: number, v: number): Uint8Array {
  const c = new Uint8Array(e)
  c[at] = v
  return c
}
