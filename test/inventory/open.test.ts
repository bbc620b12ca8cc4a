import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { INVENTORY_FILE, SCHEMA_VERSION, openInventory } from '../../main/core/inventory'
import { APPLICATION_ID, MIGRATIONS, runMigrations, userVersion } from '../../main/core/inventory/migrations'
import { cert, copy, manualClock, openTracked, tempDir } from './helpers'

function raw(dir: string, opts?: Database.Options): Database.Database {
  return new Database(path.join(dir, INVENTORY_FILE), opts)
}

function tables(db: Database.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name)
}

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected an error')
}

/** A populated, cleanly closed inventory file. */
function populated(dir: string, n: number): void {
  const inv = openInventory(dir)
  inv.transaction(() => {
    for (let i = 0; i < n; i++) {
      inv.upsertCertificate(cert({ serial: (0x1000 + i).toString(16), displayName: `사용자${i}` }))
      inv.recordCopy(copy({ serial: (0x1000 + i).toString(16), location: `/home/u/NPKI/yessign/USER/cn=${i}` }))
    }
  })
  inv.close()
}

describe('opening and migrations', () => {
  it('creates the schema from zero in the data folder, which it creates', () => {
    const dir = path.join(tempDir(), 'nested', 'data')
    const inv = openTracked(dir)
    expect(inv.notices).toEqual([])
    expect(inv.readonly).toBe(false)
    expect(inv.inMemory).toBe(false)
    expect(inv.path).toBe(path.join(dir, INVENTORY_FILE))
    inv.close()
    const db = raw(dir)
    expect(userVersion(db)).toBe(SCHEMA_VERSION)
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length)
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID)
    expect(tables(db)).toEqual(
      expect.arrayContaining(['audit_log', 'certificates', 'copies', 'findings', 'scan_cache', 'scan_runs', 'settings']),
    )
    db.close()
  })

  it('uses WAL journaling', () => {
    const dir = tempDir()
    openTracked(dir)
    const db = raw(dir)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
  })

  it('keeps data across close and re-open (an app restart)', () => {
    const dir = tempDir()
    const first = openInventory(dir)
    first.upsertCertificate(cert())
    first.recordCopy(copy())
    first.setSetting('language', 'en')
    first.audit({ action: 'export', certificate: { issuer: cert().issuer, serial: '1a2b3c' }, outcome: 'ok' })
    first.close()

    const again = openTracked(dir)
    expect(again.notices).toEqual([])
    const c = again.getCertificate(cert().issuer, '1a2b3c')
    expect(c?.displayName).toBe('홍길동')
    expect(c?.copies.map((k) => k.location)).toEqual([copy().location])
    expect(again.getSetting('language')).toBe('en')
    expect(again.auditLog()).toHaveLength(1)
  })

  it('runs each migration in its own transaction: a failing step keeps the earlier ones', () => {
    const db = new Database(':memory:')
    const steps = [
      (d: Database.Database) => d.exec('CREATE TABLE a (x)'),
      (d: Database.Database) => {
        d.exec('CREATE TABLE b (x)')
        throw new Error('step 2 broke')
      },
    ]
    expect(() => runMigrations(db, steps)).toThrow('step 2 broke')
    expect(userVersion(db)).toBe(1)
    expect(tables(db)).toEqual(['a'])
    // Fixed step 2: only the missing step runs.
    expect(runMigrations(db, [steps[0]!, (d) => d.exec('CREATE TABLE b (x)')])).toBe(2)
    expect(tables(db)).toEqual(['a', 'b'])
    db.close()
  })
})

describe('damaged files', () => {
  const cases: [string, (file: string) => void][] = [
    ['random bytes', (f) => fs.writeFileSync(f, crypto.randomBytes(16_384))],
    ['a text file', (f) => fs.writeFileSync(f, 'These are my notes, not a database.\n'.repeat(20))],
    ['a few bytes', (f) => fs.writeFileSync(f, 'SQLite')],
  ]
  for (const [name, damage] of cases) {
    it(`moves ${name} aside and starts fresh`, () => {
      const dir = tempDir()
      const file = path.join(dir, INVENTORY_FILE)
      damage(file)
      const original = fs.readFileSync(file)
      fs.writeFileSync(`${file}-wal`, 'stale wal')
      const clock = manualClock('2025-03-01T09:30:00.123Z')

      const inv = openTracked(dir, { now: clock.now })
      expect(inv.notices).toHaveLength(1)
      const notice = inv.notices[0]!
      expect(notice.code).toBe('RECREATED_CORRUPT')
      expect(notice.movedTo).toBe(`${file}.corrupt-20250301T093000.123Z`)
      expect(fs.readFileSync(notice.movedTo!)).toEqual(original)
      expect(fs.readFileSync(`${notice.movedTo!}-wal`, 'utf8')).toBe('stale wal')

      // The fresh database is a real, working file.
      expect(inv.inMemory).toBe(false)
      inv.upsertCertificate(cert())
      inv.recordCopy(copy())
      inv.close()
      const again = openTracked(dir)
      expect(again.notices).toEqual([])
      expect(again.listCertificates()).toHaveLength(1)
    })
  }

  it('moves a truncated real inventory aside', () => {
    const dir = tempDir()
    const file = path.join(dir, INVENTORY_FILE)
    populated(dir, 2000)
    const bytes = fs.readFileSync(file)
    expect(bytes.length).toBeGreaterThan(100_000)
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)))

    const inv = openTracked(dir)
    expect(inv.notices.map((n) => n.code)).toEqual(['RECREATED_CORRUPT'])
    expect(fs.statSync(inv.notices[0]!.movedTo!).size).toBe(Math.floor(bytes.length / 2))
    expect(inv.listCertificates()).toEqual([])
    inv.upsertCertificate(cert())
    expect(inv.getCertificate(cert().issuer, cert().serial)).not.toBeNull()
  })

  it('moves aside a file with a damaged page in the middle (header intact)', () => {
    const dir = tempDir()
    const file = path.join(dir, INVENTORY_FILE)
    populated(dir, 2000)
    const bytes = fs.readFileSync(file)
    const page = 4096
    const middle = Math.floor(bytes.length / page / 2) * page
    bytes.fill(0, middle, middle + page)
    fs.writeFileSync(file, bytes)

    const inv = openTracked(dir)
    expect(inv.notices.map((n) => n.code)).toEqual(['RECREATED_CORRUPT'])
    expect(inv.listCertificates()).toEqual([])
  })

  it("moves another program's SQLite file aside instead of migrating into it", () => {
    const dir = tempDir()
    const other = raw(dir)
    other.exec(`CREATE TABLE certificates (id INTEGER PRIMARY KEY, blob BLOB); INSERT INTO certificates (blob) VALUES (x'00')`)
    other.close()
    const inv = openTracked(dir)
    expect(inv.notices.map((n) => n.code)).toEqual(['RECREATED_CORRUPT'])
    const moved = new Database(inv.notices[0]!.movedTo!, { readonly: true })
    expect(moved.prepare('SELECT count(*) AS n FROM certificates').get()).toEqual({ n: 1 })
    moved.close()
  })

  it('never names two moved files the same', () => {
    const dir = tempDir()
    const file = path.join(dir, INVENTORY_FILE)
    const clock = manualClock()
    const moved: string[] = []
    for (let i = 0; i < 2; i++) {
      fs.writeFileSync(file, crypto.randomBytes(4096))
      const inv = openInventory(dir, { now: clock.now })
      moved.push(inv.notices[0]!.movedTo!)
      inv.close()
    }
    expect(new Set(moved).size).toBe(2)
    for (const m of moved) expect(fs.existsSync(m)).toBe(true)
  })
})

describe('a database locked by another process', () => {
  it('falls back to memory when another connection holds an exclusive lock', () => {
    const dir = tempDir()
    populated(dir, 3)
    const other = raw(dir)
    other.exec('BEGIN EXCLUSIVE')
    other.prepare(`INSERT INTO settings (key, value) VALUES ('language', '"en"')`).run()
    try {
      const inv = openTracked(dir, { busyTimeoutMs: 50 })
      expect(inv.notices.map((n) => n.code)).toEqual(['LOCKED_FALLBACK_MEMORY'])
      expect(inv.inMemory).toBe(true)
      expect(inv.path).toBe(':memory:')
      // Usable, but separate from the file.
      expect(inv.listCertificates()).toEqual([])
      inv.upsertCertificate(cert({ serial: 'ff' }))
      expect(inv.getCertificate(cert().issuer, 'ff')).not.toBeNull()
      inv.close()
    } finally {
      other.exec('COMMIT')
      other.close()
    }
    // The file was neither moved nor touched by the fallback.
    const after = openTracked(dir)
    expect(after.notices).toEqual([])
    expect(after.listCertificates()).toHaveLength(3)
    expect(after.getCertificate(cert().issuer, 'ff')).toBeNull()
    expect(after.getSetting('language')).toBe('en')
  })

  it('falls back to memory when a child process holds the lock', async () => {
    const dir = tempDir()
    populated(dir, 1)
    const script = `
      const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))})
      const db = new Database(${JSON.stringify(path.join(dir, INVENTORY_FILE))})
      db.exec('BEGIN EXCLUSIVE')
      db.prepare("INSERT INTO settings (key, value) VALUES ('helpdeskMode', 'true')").run()
      process.stdout.write('locked\\n')
      process.stdin.once('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0) })
    `
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] })
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('locked')) resolve()
        })
        child.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)))
      })
      const inv = openTracked(dir, { busyTimeoutMs: 100 })
      expect(inv.notices.map((n) => n.code)).toEqual(['LOCKED_FALLBACK_MEMORY'])
      expect(inv.notices[0]!.message).toMatch(/in memory only/)
      inv.close()
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin.write('release\n')
      await exited
    }
    const after = openTracked(dir)
    expect(after.notices).toEqual([])
    expect(after.listCertificates()).toHaveLength(1)
  })
})

describe('a database from a newer Dojang', () => {
  it('opens read-only with a NEWER_SCHEMA notice and refuses writes with CONFLICT', () => {
    const dir = tempDir()
    populated(dir, 2)
    const db = raw(dir)
    // What a future additive migration could look like.
    db.exec('ALTER TABLE certificates ADD COLUMN future_flag INTEGER; CREATE TABLE future_things (x)')
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    db.close()

    const inv = openTracked(dir)
    expect(inv.notices.map((n) => n.code)).toEqual(['NEWER_SCHEMA'])
    expect(inv.readonly).toBe(true)
    expect(inv.inMemory).toBe(false)
    expect(inv.listCertificates()).toHaveLength(2)
    expect(inv.getSetting('language')).toBe('ko')

    const e = catchError(() => inv.upsertCertificate(cert({ serial: 'ee' })))
    expect(isDojangError(e, 'CONFLICT')).toBe(true)
    expect(isDojangError(catchError(() => inv.audit({ action: 'delete', outcome: 'ok' })), 'CONFLICT')).toBe(true)
    inv.close()

    const check = raw(dir)
    expect(userVersion(check)).toBe(SCHEMA_VERSION + 1)
    expect((check.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }).n).toBe(2)
    check.close()
  })
})

describe('readonly option', () => {
  it('gives an empty read-only inventory when there is no file yet, and creates nothing', () => {
    const dir = path.join(tempDir(), 'absent')
    const inv = openTracked(dir, { readonly: true })
    expect(inv.readonly).toBe(true)
    expect(inv.listCertificates()).toEqual([])
    expect(fs.existsSync(dir)).toBe(false)
  })

  it('reads an existing file and refuses writes', () => {
    const dir = tempDir()
    populated(dir, 2)
    const inv = openTracked(dir, { readonly: true })
    expect(inv.notices).toEqual([])
    expect(inv.listCertificates()).toHaveLength(2)
    expect(isDojangError(catchError(() => inv.setSetting('language', 'en')), 'CONFLICT')).toBe(true)
  })

  it('reports a damaged file as CORRUPT_FILE without moving it', () => {
    const dir = tempDir()
    const file = path.join(dir, INVENTORY_FILE)
    fs.writeFileSync(file, crypto.randomBytes(4096))
    const e = catchError(() => openInventory(dir, { readonly: true }))
    expect(isDojangError(e, 'CORRUPT_FILE')).toBe(true)
    expect(fs.readdirSync(dir)).toEqual([INVENTORY_FILE])
  })
})

describe('closing', () => {
  it('is idempotent and later calls fail with a DojangError', () => {
    const inv = openInventory(tempDir())
    inv.close()
    inv.close()
    expect(isDojangError(catchError(() => inv.listCertificates()), 'INTERNAL')).toBe(true)
    expect(isDojangError(catchError(() => inv.transaction(() => 1)), 'INTERNAL')).toBe(true)
  })
})

describe('failures it cannot repair', () => {
  it('throws a DojangError when the data folder cannot be created', () => {
    const dir = tempDir()
    const blocker = path.join(dir, 'file')
    fs.writeFileSync(blocker, 'x')
    const e = catchError(() => openInventory(path.join(blocker, 'data')))
    expect(e).toBeInstanceOf(Error)
    expect(isDojangError(e)).toBe(true)
  })
})
