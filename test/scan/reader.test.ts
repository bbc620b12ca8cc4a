/**
 * The two readers of certificate-folder files (reader.ts: async libuv requests; workerReader.ts: one worker thread
 * with synchronous reads) give the same scan: the same certificates, facts, hashes and problems, with the cache
 * and without it, for good, damaged, oversized and non-regular files.
 */
import { execFileSync } from 'node:child_process'
import { truncateSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { deepScan, MemoryScanCache, type ScanResult } from '../../main/core/scan'
import { HONG_DN, scratch, writeHong } from './helpers'

/** What must not depend on the reader (timings and order of discovery aside). */
function essence(r: ScanResult) {
  return {
    status: r.status,
    certificates: r.certificates.map((c) => ({ ...c, fromCache: undefined })),
    problems: [...r.problems].sort((a, b) => (a.path + a.code < b.path + b.code ? -1 : 1)),
    counts: { found: r.stats.certificatesFound, parsed: r.stats.filesParsed },
  }
}

async function tree(): Promise<string> {
  const dir = await scratch()
  const npki = join(dir, 'home', 'NPKI', 'testsign', 'USER')
  writeHong(join(npki, HONG_DN))
  writeHong(join(npki, 'cn=copy'), { signPriSuffix: Buffer.from('x') })
  writeHong(join(npki, 'cn=damaged'))
  writeFileSync(join(npki, 'cn=damaged', 'signCert.der'), Buffer.from([0x30, 0x82, 0x01, 0x00, 1, 2, 3]))
  writeHong(join(npki, 'cn=huge'))
  truncateSync(join(npki, 'cn=huge', 'kmPri.key'), 2 << 20) // larger than any key file
  writeHong(join(dir, 'Downloads', 'cert'), { names: { kmCert: null, kmPri: null } })
  writeHong(join(npki, 'cn=fifo'), { names: { signPri: null } })
  if (process.platform !== 'win32') execFileSync('mkfifo', [join(npki, 'cn=fifo', 'signPri.key')])
  return dir
}

describe('async and worker readers', () => {
  it('give the same scan, cold and warm', async () => {
    const dir = await tree()
    const asyncCache = new MemoryScanCache()
    const workerCache = new MemoryScanCache()
    const a1 = await deepScan([dir], { reader: 'async', cache: asyncCache })
    const w1 = await deepScan([dir], { reader: 'worker', cache: workerCache })
    expect(a1.certificates).toHaveLength(6)
    expect(a1.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['CORRUPT_FILE']))
    expect(essence(w1)).toEqual(essence(a1))

    // Touch one key: both rescans re-read exactly that file.
    const later = new Date(Date.now() + 120_000)
    utimesSync(join(dir, 'home', 'NPKI', 'testsign', 'USER', 'cn=copy', 'signPri.key'), later, later)
    const a2 = await deepScan([dir], { reader: 'async', cache: asyncCache })
    const w2 = await deepScan([dir], { reader: 'worker', cache: workerCache })
    expect(a2.stats.filesParsed).toBe(1)
    expect(w2.stats.filesParsed).toBe(a2.stats.filesParsed)
    expect(essence(w2)).toEqual(essence(a2))
  })

  it('deep scans use the worker by default, and a cancelled one returns at once', async () => {
    const dir = await tree()
    const controller = new AbortController()
    const pending = deepScan([dir], { signal: controller.signal, progressIntervalMs: 0, onProgress: () => controller.abort() })
    const r = await pending
    expect(r.status).toBe('cancelled')
    // The source was closed: a later scan starts a fresh worker and finishes.
    const again = await deepScan([dir])
    expect(again.status).toBe('finished')
    expect(again.certificates).toHaveLength(6)
  })
})
