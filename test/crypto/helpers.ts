// Shared helpers for the crypto tests: hex, a reproducible byte stream, and an `openssl` runner.
import { createHash, randomBytes } from 'node:crypto'
import { spawn, spawnSync } from 'node:child_process'

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'))
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'latin1'))
}

/**
 * Deterministic bytes from a seed (SHA-256 in counter mode), so a failing random case can be replayed:
 * the tests print the seed, and CRYPTO_TEST_SEED=<seed> reruns exactly those cases.
 */
export function byteStream(seed: string): (n: number) => Uint8Array {
  let counter = 0
  let pool = new Uint8Array(0)
  return (n: number) => {
    while (pool.length < n) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest()
      const next = new Uint8Array(pool.length + block.length)
      next.set(pool)
      next.set(block, pool.length)
      pool = next
    }
    const out = pool.slice(0, n)
    pool = pool.slice(n)
    return out
  }
}

export function testSeed(): string {
  return process.env.CRYPTO_TEST_SEED ?? randomBytes(8).toString('hex')
}

export const LEGACY = ['-provider', 'legacy', '-provider', 'default']

/**
 * Why OpenSSL cannot be used, or null if it can (CLI present and its legacy provider offers SEED).
 * The cross-checks fail rather than skip when it is missing, unless CRYPTO_TEST_NO_OPENSSL=1 says so explicitly.
 */
export function opensslProblem(): string | null {
  const r = spawnSync('openssl', ['enc', '-seed-cbc', '-K', '00'.repeat(16), '-iv', '00'.repeat(16), ...LEGACY], {
    input: Buffer.from('x'),
  })
  if (r.error) return `openssl not runnable: ${r.error.message}`
  if (r.status !== 0) return `openssl cannot do seed-cbc with the legacy provider: ${r.stderr.toString().trim()}`
  return null
}

export function skipOpenssl(): boolean {
  return process.env.CRYPTO_TEST_NO_OPENSSL === '1'
}

/** Runs `openssl` with stdin = input; resolves to stdout, rejects with stderr on a non-zero exit. */
export function openssl(args: string[], input: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(Uint8Array.from(Buffer.concat(out)))
      else reject(new Error(`openssl ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString().trim()}`))
    })
    child.stdin.end(Buffer.from(input))
  })
}

/** Runs jobs with at most `limit` in flight (two cores: a few concurrent openssl processes keep both busy). */
export async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(jobs.length)
  let next = 0
  async function worker(): Promise<void> {
    while (next < jobs.length) {
      const i = next++
      results[i] = await jobs[i]!()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker))
  return results
}
