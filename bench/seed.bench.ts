// SEED-CBC throughput of our pure-TypeScript SEED against OpenSSL's C implementation on the same machine.
// `npx tsx bench/run.ts seed`. OpenSSL is measured with `openssl speed -evp seed-cbc` on 16 KiB blocks; we
// encrypt 16 KiB chunks through the public cbcEncrypt (which also pads and allocates, so the ratio is slightly
// conservative).
import { spawnSync } from 'node:child_process'
import { cbcDecrypt, cbcEncrypt } from '../main/core/crypto'
import type { Bench, BenchResult } from './types'

const CHUNK = 16384
const SECONDS = 2.5

/**
 * Plaintext bytes per second of fn over `seconds`, after a short JIT warm-up. `cpu` divides by the process's
 * user CPU time, as `openssl speed` does by default, so other load on the machine does not skew the ratio;
 * `wall` divides by elapsed time.
 */
function measure(fn: () => unknown, seconds: number): { cpu: number; wall: number } {
  const warmEnd = performance.now() + 300
  while (performance.now() < warmEnd) fn()
  let bytes = 0
  const cpu0 = process.cpuUsage()
  const start = performance.now()
  const end = start + seconds * 1000
  let now = start
  while (now < end) {
    for (let i = 0; i < 8; i++) fn() // check the clock every 128 KiB
    bytes += 8 * CHUNK
    now = performance.now()
  }
  const userSeconds = process.cpuUsage(cpu0).user / 1e6
  return { cpu: bytes / userSeconds, wall: bytes / ((now - start) / 1000) }
}

/** OpenSSL's 16384-byte SEED-CBC figure in bytes per second (its table is in units of 1000 bytes/s). */
function opensslSpeed(): { bytesPerSec: number; line: string } {
  const base = ['speed', '-evp', 'seed-cbc', '-provider', 'legacy', '-provider', 'default', '-seconds', '2']
  let r = spawnSync('openssl', [...base, '-bytes', String(CHUNK)], { encoding: 'utf8' })
  if (r.error) throw new Error(`cannot run openssl: ${r.error.message}`)
  if (r.status !== 0 || !/seed-cbc/i.test(r.stdout)) {
    // Older builds lack -bytes: use the 16384-byte column of the default table.
    r = spawnSync('openssl', base, { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`openssl speed failed: ${r.stderr}`)
  }
  const lines = r.stdout.split('\n')
  const header = lines.find((l) => /^type\s/.test(l))
  const row = lines.find((l) => /^seed-cbc\s/i.test(l.trim()))
  if (!header || !row) throw new Error(`unexpected openssl speed output:\n${r.stdout}`)
  const columns = [...header.matchAll(/(\d+)\s+bytes/g)].map((m) => Number(m[1]))
  const values = [...row.matchAll(/([\d.]+)k/g)].map((m) => Number(m[1]) * 1000)
  const idx = columns.indexOf(CHUNK)
  const value = values[idx]
  if (idx < 0 || value === undefined || !(value > 0)) throw new Error(`no ${CHUNK}-byte column in:\n${header}\n${row}`)
  return { bytesPerSec: value, line: row.trim().replace(/\s+/g, ' ') }
}

export default {
  name: 'seed',
  async run(): Promise<BenchResult[]> {
    const key = new Uint8Array(16).map((_, i) => i * 17 + 3)
    const iv = new Uint8Array(16).map((_, i) => 255 - i)
    const plain = new Uint8Array(CHUNK).map((_, i) => (i * 31) & 0xff)
    // Timing a broken cipher would be pointless: check the round trip first.
    const ct = cbcEncrypt('seed-128-cbc', key, iv, plain.subarray(0, CHUNK - 1)) // exactly CHUNK bytes
    const back = cbcDecrypt('seed-128-cbc', key, iv, ct)
    if (back.length !== CHUNK - 1 || back.some((b, i) => b !== plain[i])) throw new Error('SEED-CBC round trip failed')

    const enc = measure(() => cbcEncrypt('seed-128-cbc', key, iv, plain), SECONDS)
    const dec = measure(() => cbcDecrypt('seed-128-cbc', key, iv, ct), 1)

    const ossl = opensslSpeed()
    const dojangMBps = enc.cpu / 1e6
    const opensslMBps = ossl.bytesPerSec / 1e6
    return [
      {
        name: 'seed-cbc-encrypt',
        ratio: dojangMBps / opensslMBps,
        target: '>= 0.5',
        figures: {
          dojangMBps,
          opensslMBps,
          dojangWallClockMBps: enc.wall / 1e6,
          dojangDecryptMBps: dec.cpu / 1e6,
          chunkBytes: CHUNK,
          opensslLine: ossl.line,
        },
        note:
          'ratio = Dojang cbcEncrypt MB/s ÷ `openssl speed -evp seed-cbc` MB/s; 16 KiB blocks; both per user CPU ' +
          'second (openssl speed default); 1 MB = 10^6 bytes',
      },
    ]
  },
} satisfies Bench
