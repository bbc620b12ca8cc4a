import { describe, expect, it, vi } from 'vitest'
import { cryptoSelfTest } from '../../main/core/crypto/selfTest'

describe('the start-up crypto self-test', () => {
  it('passes on this runtime', () => {
    expect(cryptoSelfTest()).toEqual([])
  })

  it('names the check that fails when a primitive computes something else', async () => {
    const seed = await import('../../main/core/crypto/seed')
    const spy = vi.spyOn(seed.Seed128.prototype, 'encryptBlock').mockImplementation(function (_src, _so, dst: Uint8Array, off: number) {
      dst.fill(0, off, off + 16)
    })
    try {
      const failed = cryptoSelfTest().map((f) => f.check)
      expect(failed).toContain('SEED RFC 4269 B.1')
      expect(failed).not.toContain('SHA-256')
    } finally {
      spy.mockRestore()
    }
  })
})
