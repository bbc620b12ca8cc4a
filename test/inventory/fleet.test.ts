/**
 * The fleet view (`fleet_certificates`, docs/fleet.md) and the osquery files in docs/osquery: the view's columns
 * are pinned, and every query of the ATC configs and of the query pack runs with SQLite against a real inventory
 * filled by a real scan of a fixture tree (disk NPKI root, a USB drive, an expired and an expiring certificate).
 * osquery itself cannot be installed here; the SQL it would run is the contract under test. As osquery does, the
 * ATC query reads the database file read-only, and its rows become an all-TEXT table for the pack queries.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openInventory, type Inventory } from '../../main/core/inventory'
import { FLEET_COLUMNS } from '../../main/core/inventory/migrations'
import { computeFindings, scan, toInventoryFindings, toInventoryRecords, type ScanRoot } from '../../main/core/scan'
import { HONG_DIR, PYPINKSIGN_DIR } from '../support/fixtures'
import { cert, openTracked, tempDir } from './helpers'

const DOCS = join(__dirname, '..', '..', 'docs', 'osquery')
const HONG_DN = 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'
const DAY = 86_400_000

interface AtcTable {
  query: string
  path: string
  columns: string[]
  platform: string
}
interface Pack {
  queries: Record<string, { query: string; interval: number; description: string }>
}

function atcConfigs(): [string, AtcTable][] {
  return ['dojang.conf', 'dojang.darwin.conf', 'dojang.windows.conf'].map((f) => {
    const conf = JSON.parse(readFileSync(join(DOCS, f), 'utf8')) as { auto_table_construction: Record<string, AtcTable> }
    const tables = Object.entries(conf.auto_table_construction)
    expect(tables.map(([name]) => name)).toEqual(['dojang_certificates'])
    return [f, (tables[0] as [string, AtcTable])[1]]
  })
}

/** What `dojang scan` / the app do after a scan, with the core modules only: records, run, missing, findings. */
async function scanIntoInventory(inv: Inventory, roots: ScanRoot[], now: Date): Promise<void> {
  const run = inv.beginScanRun(roots.map((r) => r.path))
  const result = await scan(roots)
  inv.transaction(() => {
    for (const c of result.certificates) {
      const rec = toInventoryRecords(c)
      if (!rec) continue
      inv.upsertCertificate(rec.certificate)
      inv.recordCopy(rec.copy, run)
    }
  })
  inv.finishScanRun(run, { foldersVisited: result.stats.foldersVisited, certificatesFound: result.stats.certificatesFound, problems: result.stats.problems }, 'finished')
  for (const r of result.roots) inv.markMissing(run, r.path)
  inv.addFindings(run, toInventoryFindings(computeFindings(result, { now })))
}

/** The whole days left as the app counts them (rounded down); the view's clock has whole seconds, so either
 * value around a second boundary is right. */
const daysLeft = (notAfter: string) => {
  const now = Date.now()
  return [...new Set([now, now - 1000].map((t) => Math.floor((Date.parse(notAfter) - t) / DAY)))]
}

describe('fleet_certificates', () => {
  let dbPath = ''
  let soonNotAfter = ''

  // Not tempDir(): the helpers remove their folders after each test, and this tree serves the whole block.
  const dir = mkdtempSync(join(tmpdir(), 'dojang-fleet-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  beforeAll(async () => {
    const disk = join(dir, 'home', 'NPKI')
    const usb = join(dir, 'usb', 'NPKI')
    cpSync(HONG_DIR, join(disk, 'testsign', 'USER', HONG_DN), { recursive: true })
    cpSync(HONG_DIR, join(usb, 'testsign', 'USER', HONG_DN), { recursive: true }) // a duplicate, on a USB drive
    const expired = join(disk, 'yessign', 'USER', 'cn=HKD(KILDONG.HONG)009104120200225191000030,ou=INITECH,ou=personal4IB,o=yessign,c=kr')
    mkdirSync(expired, { recursive: true })
    cpSync(join(PYPINKSIGN_DIR, 'signCert.der'), join(expired, 'signCert.der'))
    cpSync(join(PYPINKSIGN_DIR, 'signPri.key'), join(expired, 'signPri.key'))
    // A certificate that expires in ten days, made now by OpenSSL.
    const soon = join(disk, 'yessign', 'USER', 'cn=김만료()0011223344556677,ou=personal4IB,o=yessign,c=kr')
    mkdirSync(soon, { recursive: true })
    const key = join(dir, 'soon.key')
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], { stdio: 'pipe' })
    execFileSync('openssl', ['req', '-x509', '-new', '-key', key, '-subj', '/C=kr/O=yessign/OU=personal4IB/CN=김만료()0011223344556677', '-utf8', '-days', '10', '-outform', 'DER', '-out', join(soon, 'signCert.der')], { stdio: 'pipe' })
    cpSync(join(HONG_DIR, 'signPri.key'), join(soon, 'signPri.key'))
    soonNotAfter = new Date(Date.now() + 10 * DAY).toISOString()

    const dataDir = join(dir, 'data')
    const inv = openInventory(dataDir)
    await scanIntoInventory(inv, [{ path: disk, kind: 'npki', medium: 'disk' }, { path: usb, kind: 'npki', medium: 'removable' }], new Date())
    inv.close()
    dbPath = inv.path
  })

  it('has the pinned columns, in order (later migrations may only add at the end)', () => {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true })
    try {
      const cols = (db.prepare('SELECT name FROM pragma_table_info(?)').all('fleet_certificates') as { name: string }[]).map((c) => c.name)
      expect(cols).toEqual([
        'holder_name', 'subject', 'issuer', 'ca', 'purpose', 'policy_oid', 'serial', 'not_before', 'not_after', 'days_left', 'medium',
        'location', 'root', 'profile', 'has_sign_key', 'missing', 'findings_count', 'last_seen', 'fingerprint_sha256',
      ])
      expect(cols).toEqual([...FLEET_COLUMNS])
      // A view: nothing can be written through it.
      expect(() => db.prepare(`DELETE FROM fleet_certificates`).run()).toThrow()
    } finally {
      db.close()
    }
  })

  it('refuses writes through the view even on a writable connection', () => {
    const db = new Database(dbPath, { fileMustExist: true })
    try {
      expect(() => db.prepare(`UPDATE fleet_certificates SET holder_name = 'x'`).run()).toThrow(/view/i)
    } finally {
      db.close()
    }
  })

  for (const [file, table] of atcConfigs()) {
    it(`${file}: the ATC query reads every copy with the declared columns`, () => {
      expect(table.columns).toEqual([...FLEET_COLUMNS])
      expect(table.path).toMatch(/[\\/]inventory\.db$/)
      const db = new Database(dbPath, { readonly: true, fileMustExist: true })
      let rows: Record<string, unknown>[]
      try {
        const stmt = db.prepare(table.query)
        expect(stmt.columns().map((c) => c.name)).toEqual(table.columns)
        rows = stmt.all() as Record<string, unknown>[]
      } finally {
        db.close()
      }
      expect(rows).toHaveLength(4)
      const hong = rows.filter((r) => r.holder_name === '홍길동')
      expect(hong.map((r) => r.medium).sort()).toEqual(['disk', 'removable'])
      for (const r of hong) {
        expect(r).toMatchObject({ ca: null, serial: '3e9', not_after: '2044-12-27T00:00:00Z', missing: 0, has_sign_key: 1, profile: null })
        expect(daysLeft('2044-12-27T00:00:00Z')).toContain(r.days_left)
        expect(r.findings_count).toBeGreaterThanOrEqual(2) // duplicate + removable medium at least
        expect(String(r.location)).toContain(HONG_DN)
        expect(r.last_seen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      }
      const expired = rows.find((r) => r.holder_name === 'HKD')
      expect(expired).toMatchObject({ ca: 'yessign', serial: '459c75', not_after: '2020-03-25T14:59:59Z', medium: 'disk' })
      expect(daysLeft('2020-03-25T14:59:59Z')).toContain(expired?.days_left)
      expect(Number(expired?.days_left)).toBeLessThan(0)
      const soon = rows.find((r) => r.holder_name === '김만료')
      expect(soon).toMatchObject({ ca: 'yessign', medium: 'disk' })
      expect([9, 10]).toContain(soon?.days_left)
      expect(Date.parse(String(soon?.not_after))).toBeCloseTo(Date.parse(soonNotAfter), -6)
    })
  }

  describe('the query pack, against the ATC rows as osquery exposes them (every column TEXT)', () => {
    const pack = JSON.parse(readFileSync(join(DOCS, 'dojang-pack.conf'), 'utf8')) as Pack
    let atc: Database.Database
    const run = (name: string) => {
      const q = pack.queries[name]
      expect(q, name).toBeDefined()
      return atc.prepare((q as { query: string }).query).all() as Record<string, unknown>[]
    }

    beforeAll(() => {
      const [, table] = atcConfigs()[0] as [string, AtcTable]
      const src = new Database(dbPath, { readonly: true, fileMustExist: true })
      const rows = src.prepare(table.query).raw().all() as unknown[][]
      src.close()
      atc = new Database(':memory:')
      atc.exec(`CREATE TABLE dojang_certificates (${table.columns.map((c) => `${c} TEXT`).join(', ')})`)
      const insert = atc.prepare(`INSERT INTO dojang_certificates VALUES (${table.columns.map(() => '?').join(', ')})`)
      // osquery hands every value over as text, and NULL as an empty string.
      for (const r of rows) insert.run(...r.map((v) => (v === null ? '' : String(v))))
      return () => atc.close()
    })

    it('has the documented queries', () => {
      expect(Object.keys(pack.queries).sort()).toEqual(['dojang_duplicate_copies', 'dojang_expired', 'dojang_expiring_30d', 'dojang_inventory', 'dojang_on_usb', 'dojang_with_findings'])
      for (const q of Object.values(pack.queries)) expect(q.interval).toBeGreaterThan(0)
    })

    it('expiring within 30 days', () => {
      const rows = run('dojang_expiring_30d')
      expect(rows.map((r) => r.holder_name)).toEqual(['김만료'])
      expect([9, 10]).toContain(rows[0]?.days_left)
    })

    it('expired', () => {
      expect(run('dojang_expired').map((r) => [r.holder_name, r.serial])).toEqual([['HKD', '459c75']])
    })

    it('on plain USB drives', () => {
      const rows = run('dojang_on_usb')
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ holder_name: '홍길동', serial: '3e9' })
      expect(String(rows[0]?.location)).toContain(join('usb', 'NPKI'))
    })

    it('duplicate copies', () => {
      const rows = run('dojang_duplicate_copies')
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ holder_name: '홍길동', serial: '3e9', copies: 2 })
      expect(String(rows[0]?.locations)).toMatch(/^(disk|removable):.*\|.*(disk|removable):/)
    })

    it('copies with findings', () => {
      const names = run('dojang_with_findings').map((r) => r.holder_name)
      expect(names.filter((n) => n === '홍길동')).toHaveLength(2)
      expect(names).toContain('HKD') // expired
    })

    it('the snapshot of everything', () => {
      expect(run('dojang_inventory')).toHaveLength(4)
    })
  })
})

describe('fleet_certificates: profile, missing copies and the latest run', () => {
  it('takes the profile from the location and flags missing copies', () => {
    const inv = openTracked(tempDir())
    const c = inv.upsertCertificate(cert({ notAfter: new Date(Date.now() + 40.5 * DAY).toISOString() }))
    const key = { issuer: c.issuer, serial: c.serial }
    const run = inv.beginScanRun(['/'])
    for (const location of ['/home/kim/NPKI/yessign/USER/cn=a', '/Users/lee/Library/Preferences/NPKI/yessign/USER/cn=a', 'C:\\Users\\park\\AppData\\LocalLow\\NPKI\\yessign\\USER\\cn=a', '/root/NPKI/yessign/USER/cn=a', '/media/usb/NPKI/yessign/USER/cn=a']) {
      inv.recordCopy({ ...key, medium: location.startsWith('/media') ? 'removable' : 'disk', location, root: '/', files: { signCert: true } }, run)
    }
    inv.finishScanRun(run, { foldersVisited: 1, certificatesFound: 5, problems: 0 }, 'finished')
    inv.addFindings(run, [{ kind: 'duplicate', severity: 'info', certificate: key, location: null, detail: {} }])
    const run2 = inv.beginScanRun(['/media/usb/NPKI'])
    inv.finishScanRun(run2, { foldersVisited: 1, certificatesFound: 0, problems: 0 }, 'finished')
    inv.markMissing(run2, '/media/usb/NPKI')
    const db = (inv as unknown as { db: Database.Database }).db
    const rows = db.prepare('SELECT location, profile, missing, has_sign_key, findings_count, days_left FROM fleet_certificates ORDER BY location').all() as Record<string, unknown>[]
    // Byte order: '/Users' < '/home' < '/media' < '/root' < 'C:'.
    expect(rows.map((r) => [r.profile, r.missing])).toEqual([
      ['lee', 0], ['kim', 0], [null, 1], ['root', 0], ['park', 0],
    ])
    // The findings count follows the latest finished run (run2 found nothing).
    expect(rows.every((r) => r.findings_count === 0 && r.has_sign_key === 0)).toBe(true)
    expect(rows[0]?.days_left).toBe(40)
  })
})
