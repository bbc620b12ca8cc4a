import { utimesSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openInventory, type CertificateInput, type CopyInput, type FindingInput } from '../../main/core/inventory'
import {
  computeFindings, inventoryScanCache, scanNpkiRoots, toInventoryFindings, toInventoryRecords, type InventoryCachePort,
} from '../../main/core/scan'
import { HONG, HONG_DN, scratch, writeHong } from './helpers'

describe('the SQLite inventory behind the scan cache port', () => {
  it('serves a rescan from the database, also after reopening it', async () => {
    const dir = await scratch()
    const root = join(dir, 'NPKI')
    const dns = ['cn=a', 'cn=b'].map((n) => writeHong(join(root, 'testsign', 'USER', n)))
    const dataDir = join(dir, 'data')

    let inv = openInventory(dataDir)
    const port: InventoryCachePort = inv // the real Inventory fits the port
    const first = await scanNpkiRoots([root], { cache: inventoryScanCache(port, { batch: 3 }) })
    expect(first.stats).toMatchObject({ foldersParsed: 2, filesParsed: 8 })
    inv.close()

    inv = openInventory(dataDir)
    const cache = inventoryScanCache(inv)
    const second = await scanNpkiRoots([root], { cache })
    expect(second.stats).toMatchObject({ foldersParsed: 0, foldersFromCache: 2, filesParsed: 0, cacheHits: 8 })
    expect(cache.failedWrites).toBe(0)
    expect(second.certificates.map((c) => c.id)).toEqual(first.certificates.map((c) => c.id))

    const later = new Date(Date.now() + 120_000)
    utimesSync(join(dns[0] as string, 'signPri.key'), later, later)
    const third = await scanNpkiRoots([root], { cache: inventoryScanCache(inv) })
    expect(third.stats).toMatchObject({ foldersParsed: 1, filesParsed: 1, cacheHits: 7 })
    inv.close()
  })

  it('reads the cache once per scan: no stat of unknown files, no query per file', async () => {
    const dir = await scratch()
    const root = join(dir, 'NPKI')
    const dns = ['cn=a', 'cn=b'].map((n) => writeHong(join(root, 'testsign', 'USER', n)))
    const inv = openInventory(join(dir, 'data'))
    try {
      let gets = 0
      let indexReads = 0
      const counting: InventoryCachePort = {
        cacheGet: (p, c) => {
          gets++
          return inv.cacheGet(p, c)
        },
        cacheSnapshot: () => {
          indexReads++
          return inv.cacheSnapshot()
        },
        cachePut: (...a) => inv.cachePut(...a),
        transaction: (fn) => inv.transaction(fn),
      }
      const first = await scanNpkiRoots([root], { cache: inventoryScanCache(counting) })
      expect(first.stats).toMatchObject({ filesParsed: 8, cacheHits: 0 })
      expect([gets, indexReads]).toEqual([0, 1])
      expect(inv.cacheSnapshot()?.size).toBe(8)
      expect(inv.cacheSnapshot(7)).toBeNull() // more entries than the limit: asked per file instead

      const later = new Date(Date.now() + 120_000)
      utimesSync(join(dns[1] as string, 'kmPri.key'), later, later)
      const second = await scanNpkiRoots([root], { cache: inventoryScanCache(counting) })
      expect(second.stats).toMatchObject({ filesParsed: 1, cacheHits: 7 })
      expect([gets, indexReads]).toEqual([0, 2])
      expect(second.certificates.map((c) => c.id)).toEqual(first.certificates.map((c) => c.id))
    } finally {
      inv.close()
    }
  })

  it('drops writes the inventory refuses instead of failing the scan', async () => {
    const root = join(await scratch(), 'NPKI')
    writeHong(join(root, 'testsign', 'USER', HONG_DN))
    const refusing: InventoryCachePort = {
      cacheGet: () => null,
      cachePut: () => {
        throw new Error('read-only')
      },
      transaction: (fn) => fn(),
    }
    const cache = inventoryScanCache(refusing)
    const r = await scanNpkiRoots([root], { cache })
    expect(r.status).toBe('finished')
    expect(r.certificates).toHaveLength(1)
    expect(cache.failedWrites).toBe(4)
  })

  it('maps scan results and findings onto inventory records the inventory accepts', async () => {
    const dir = await scratch()
    const root = join(dir, 'NPKI')
    writeHong(join(root, 'testsign', 'USER', HONG_DN))
    writeHong(join(root, 'other', 'USER', 'cn=copy'), { names: { kmCert: null, kmPri: null }, extra: { 'card.png': 'x' } })
    const r = await scanNpkiRoots([root])
    const inv = openInventory(join(dir, 'data'))
    try {
      const run = inv.beginScanRun([root])
      inv.transaction(() => {
        for (const c of r.certificates) {
          const rec = toInventoryRecords(c)
          if (!rec) continue
          const cert: CertificateInput = rec.certificate
          const copy: CopyInput = rec.copy
          inv.upsertCertificate(cert)
          inv.recordCopy(copy, run)
        }
      })
      const findings: FindingInput[] = toInventoryFindings(computeFindings(r, { now: new Date('2030-01-01T00:00:00Z') }))
      expect(inv.addFindings(run, findings)).toBe(findings.length)
      inv.finishScanRun(run, { foldersVisited: r.stats.foldersVisited, certificatesFound: r.stats.certificatesFound, problems: r.stats.problems }, 'finished')

      const stored = inv.getCertificate(HONG.issuer, HONG.serial)
      expect(stored?.displayName).toBe('홍길동')
      expect(stored?.copies.map((c) => [c.files.kmCert, c.keyScheme])).toEqual([
        [false, 'npki-pbkdf1-seed'],
        [true, 'npki-pbkdf1-seed'],
      ])
      const kinds = inv.latestFindings()?.findings.map((f) => [f.kind, f.severity]).sort()
      expect(kinds).toEqual([
        ['copies-differ', 'warning'],
        ['duplicate', 'info'],
        ['suspicious-file', 'error'],
      ])
    } finally {
      inv.close()
    }
  })
})
