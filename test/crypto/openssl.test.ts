// Cross-checks against the OpenSSL CLI, generated at test time with random keys, IVs and lengths.
// No network: only local `openssl enc` processes (SEED needs `-provider legacy -provider default`).
import { describe, it, expect } from 'vitest'
import { cbcDecrypt, cbcEncrypt, keyLengthOf, type CbcAlgorithm } from '../../main/core/crypto'
import { LEGACY, byteStream, openssl, opensslProblem, pool, skipOpenssl, testSeed, toHex } from './helpers'

const problem = skipOpenssl() ? null : opensslProblem()
const seed = testSeed()

interface Case {
  key: Uint8Array
  iv: Uint8Array
  pt: Uint8Array
}

function makeCases(alg: CbcAlgorithm, count: number, salt: string): Case[] {
  const rnd = byteStream(`${seed}:${salt}`)
  const cases: Case[] = []
  // Edge lengths first (empty, around block boundaries), then random 0..300 with every fourth a multiple of 16.
  const fixed = [0, 1, 15, 16, 17, 31, 32, 33, 48, 64, 255, 256, 288, 300]
  for (let i = 0; i < count; i++) {
    const r = rnd(2)
    const len = i < fixed.length ? fixed[i]! : i % 4 === 0 ? 16 * (r[0]! % 19) : ((r[0]! << 8) | r[1]!) % 301
    cases.push({ key: rnd(keyLengthOf(alg)), iv: rnd(16), pt: rnd(len) })
  }
  return cases
}

function encArgs(cipher: string, c: Case, decrypt: boolean, legacy: boolean): string[] {
  return ['enc', decrypt ? '-d' : '-e', `-${cipher}`, '-K', toHex(c.key), '-iv', toHex(c.iv), ...(legacy ? LEGACY : [])]
}

describe.skipIf(skipOpenssl())('SEED-CBC against OpenSSL', () => {
  it('OpenSSL with SEED is available (set CRYPTO_TEST_NO_OPENSSL=1 to skip these checks deliberately)', () => {
    expect(problem).toBeNull()
  })

  const cases = makeCases('seed-128-cbc', 240, 'seed-cbc')

  it(`our encryption decrypts with openssl, for ${cases.length} random cases`, async () => {
    const jobs = cases.map((c) => async () => {
      const ours = cbcEncrypt('seed-128-cbc', c.key, c.iv, c.pt)
      const back = await openssl(encArgs('seed-cbc', c, true, true), ours)
      return { c, ours, back }
    })
    for (const { c, back } of await pool(jobs, 4)) {
      expect(toHex(back), `CRYPTO_TEST_SEED=${seed}: key ${toHex(c.key)} iv ${toHex(c.iv)} len ${c.pt.length}`).toBe(toHex(c.pt))
    }
  })

  it(`openssl's encryption decrypts with ours and equals our ciphertext, for ${cases.length} random cases`, async () => {
    const jobs = cases.map((c) => async () => ({ c, theirs: await openssl(encArgs('seed-cbc', c, false, true), c.pt) }))
    for (const { c, theirs } of await pool(jobs, 4)) {
      const where = `CRYPTO_TEST_SEED=${seed}: key ${toHex(c.key)} iv ${toHex(c.iv)} len ${c.pt.length}`
      expect(theirs.length, where).toBe((Math.floor(c.pt.length / 16) + 1) * 16)
      expect(toHex(cbcDecrypt('seed-128-cbc', c.key, c.iv, theirs)), where).toBe(toHex(c.pt))
      expect(toHex(cbcEncrypt('seed-128-cbc', c.key, c.iv, c.pt)), where).toBe(toHex(theirs))
    }
  })
})

describe.skipIf(skipOpenssl())('AES-CBC against OpenSSL', () => {
  for (const alg of ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc'] as const) {
    const cases = makeCases(alg, 6, alg)
    it(`${alg}: both directions, ${cases.length} cases`, async () => {
      const jobs = cases.map((c) => async () => {
        const ours = cbcEncrypt(alg, c.key, c.iv, c.pt)
        const back = await openssl(encArgs(alg, c, true, false), ours)
        const theirs = await openssl(encArgs(alg, c, false, false), c.pt)
        return { c, ours, back, theirs }
      })
      for (const { c, ours, back, theirs } of await pool(jobs, 4)) {
        const where = `CRYPTO_TEST_SEED=${seed}: key ${toHex(c.key)} iv ${toHex(c.iv)} len ${c.pt.length}`
        expect(toHex(back), where).toBe(toHex(c.pt))
        expect(toHex(ours), where).toBe(toHex(theirs))
        expect(toHex(cbcDecrypt(alg, c.key, c.iv, theirs)), where).toBe(toHex(c.pt))
      }
    })
  }
})
