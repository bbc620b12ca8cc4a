/**
 * Opening the inventory file without ever failing the app start for a reason the user cannot fix right away:
 *
 * - damaged or foreign file  → moved aside as `inventory.db.corrupt-<time>` (with -wal/-shm/-journal), a fresh
 *   database is created, notice RECREATED_CORRUPT. The inventory is a cache of what is on disk plus history, so
 *   starting over loses only history; keeping the old file lets a helpdesk look at it.
 * - locked by another process beyond the busy timeout → a fresh in-memory database, notice LOCKED_FALLBACK_MEMORY.
 * - written by a newer Dojang (user_version above ours) → opened read-only, notice NEWER_SCHEMA. Migrations are
 *   additive (see migrations.ts), so our queries still work; writes are refused with CONFLICT. We prefer this to
 *   refusing outright: the user still sees the list, and the newer file is never touched by older code.
 *
 * Other failures (no permission on the data folder, disk full) are thrown as DojangError: there is no safe
 * automatic answer and the user has to act.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { DojangError, type ErrorCode } from '../../../common/errors'
import { makeDataDirPrivate, touchPrivateFile } from '../fsx/privacy'
import { APPLICATION_ID, SCHEMA_VERSION, runMigrations, userVersion } from './migrations'
import type { InventoryNotice, OpenOptions } from './types'

export const INVENTORY_FILE = 'inventory.db'
const SIDECARS = ['-wal', '-shm', '-journal']
const DEFAULT_BUSY_TIMEOUT_MS = 3000

export interface OpenedDatabase {
  db: Database.Database
  /** The file path, or ':memory:' after a fallback. */
  path: string
  inMemory: boolean
  readonly: boolean
  newerSchema: boolean
  notices: InventoryNotice[]
}

/** The file is not a usable Dojang inventory (damaged, or another program's SQLite file). */
class NotAnInventory extends Error {}

function sqliteCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : ''
}

function isLocked(e: unknown): boolean {
  const code = sqliteCode(e)
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
}

function isCorrupt(e: unknown): boolean {
  if (e instanceof NotAnInventory) return true
  const code = sqliteCode(e)
  // A damaged header can also read as a file format no SQLite knows (found by the fuzzer).
  const unknownFormat = code === 'SQLITE_ERROR' && /unsupported file format/i.test(e instanceof Error ? e.message : '')
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_IOERR_SHORT_READ' || unknownFormat
}

function toDojangError(e: unknown, file: string): DojangError {
  if (e instanceof DojangError) return e
  const code = sqliteCode(e)
  let mapped: ErrorCode = 'IO_ERROR'
  if (['SQLITE_PERM', 'SQLITE_READONLY', 'SQLITE_AUTH', 'EACCES', 'EPERM', 'EROFS'].some((c) => code.startsWith(c))) {
    mapped = 'PERMISSION_DENIED'
  } else if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    mapped = 'DISK_FULL'
  }
  return new DojangError(mapped, `Dojang could not open its inventory database at ${file}.`, { path: file, cause: code || 'unknown' }, { cause: e })
}

/** Cheap enough for a few-MB file at every start, and it catches truncation that a header read would miss. */
function checkUsable(db: Database.Database): void {
  const result = db.pragma('quick_check(1)', { simple: true })
  if (result !== 'ok') throw new NotAnInventory(String(result))
  const appId = db.pragma('application_id', { simple: true }) as number
  if (appId === APPLICATION_ID) return
  const objects = (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n
  // An empty file (or a brand-new one) has neither; anything else with another or no id is not ours.
  if (appId !== 0 || userVersion(db) !== 0 || objects > 0) throw new NotAnInventory(`application_id ${appId}`)
}

/** Columns of every table as this Dojang's migrations create them (built once, in memory). */
let referenceSchema: Map<string, string[]> | undefined
function tableColumns(db: Database.Database): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]
  for (const { name } of tables) {
    out.set(name, (db.prepare('SELECT name FROM pragma_table_info(?)').all(name) as { name: string }[]).map((c) => c.name))
  }
  return out
}

/**
 * After migrations every table and column our queries use must be there: a file whose schema text was damaged (or
 * edited) can pass quick_check and carry our application_id, and would otherwise fail later with raw SQL errors.
 * Extra tables and columns are fine (a newer Dojang adds them).
 */
function checkSchema(db: Database.Database): void {
  if (!referenceSchema) {
    const mem = new Database(':memory:')
    try {
      runMigrations(mem)
      referenceSchema = tableColumns(mem)
    } finally {
      mem.close()
    }
  }
  const actual = tableColumns(db)
  for (const [table, columns] of referenceSchema) {
    const have = actual.get(table)
    const missing = have ? columns.filter((c) => !have.includes(c)) : columns
    if (missing.length > 0) throw new NotAnInventory(`table ${table} lacks ${missing.join(', ')}`)
  }
}

function configure(db: Database.Database): void {
  db.pragma('foreign_keys = ON')
}

function openMemory(readonly: boolean, notices: InventoryNotice[]): OpenedDatabase {
  const db = new Database(':memory:')
  configure(db)
  runMigrations(db)
  return { db, path: ':memory:', inMemory: true, readonly, newerSchema: false, notices }
}

function openReadonlyFile(file: string, timeout: number): { db: Database.Database; newer: boolean; inMemory: boolean } {
  let db = new Database(file, { readonly: true, fileMustExist: true, timeout })
  try {
    configure(db)
    checkUsable(db)
    const v = userVersion(db)
    if (v >= SCHEMA_VERSION) {
      checkSchema(db)
      return { db, newer: v > SCHEMA_VERSION, inMemory: false }
    }
    // An older file we may not migrate in place: migrate a private in-memory copy instead.
    const image = db.serialize()
    db.close()
    db = new Database(image)
    configure(db)
    runMigrations(db)
    checkSchema(db)
    return { db, newer: false, inMemory: true }
  } catch (e) {
    db.close()
    throw e
  }
}

/**
 * Looks at an existing file through a read-only connection first. Unlike a read-write one, it never checkpoints
 * or deletes the -wal on close, so a damaged database is moved aside exactly as it was found. Returns the
 * connection when the file is from a newer Dojang (it stays read-only), otherwise null.
 */
function probeExisting(file: string, timeout: number): Database.Database | null {
  let db: Database.Database
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout })
  } catch {
    return null // e.g. cannot create the -shm read-only: the read-write open below reports real problems
  }
  try {
    configure(db)
    checkUsable(db)
    if (userVersion(db) > SCHEMA_VERSION) {
      checkSchema(db)
      return db
    }
    db.close()
    return null
  } catch (e) {
    db.close()
    if (isLocked(e) || isCorrupt(e)) throw e
    return null
  }
}

function openWritableFile(file: string, timeout: number): { db: Database.Database; newer: boolean } {
  const existed = fs.existsSync(file) && fs.statSync(file).size > 0
  if (existed) {
    const newer = probeExisting(file, timeout)
    if (newer !== null) return { db: newer, newer: true }
  }
  const db = new Database(file, { timeout })
  try {
    // WAL: readers (the CLI, the UI) never block the scanner's writes. NORMAL is durable enough in WAL mode:
    // a power cut can lose the last transactions but never corrupts the file.
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    configure(db)
    checkUsable(db) // again: the file may have changed since the probe, and a new file is checked for free
    if (userVersion(db) > SCHEMA_VERSION) {
      db.close()
      return { ...openReadonlyFile(file, timeout), newer: true }
    }
    runMigrations(db)
    checkSchema(db)
    return { db, newer: false }
  } catch (e) {
    if (db.open) db.close()
    throw e
  }
}

/** ISO time without characters that Windows forbids in names: 2025-03-01T09:30:00.123Z → 20250301T093000.123Z */
function fileStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '')
}

function moveAside(file: string, now: Date): string {
  const base = `${file}.corrupt-${fileStamp(now)}`
  let target = base
  for (let i = 2; fs.existsSync(target); i++) target = `${base}-${i}`
  fs.renameSync(file, target)
  for (const suffix of SIDECARS) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, target + suffix)
  }
  return target
}

const LOCKED_MESSAGE =
  'The inventory is in use by another Dojang window or command and stayed locked. This session keeps its list in memory only, so nothing will be saved. Close the other Dojang and start again.'

export function openDatabase(dataDir: string, opts: OpenOptions = {}): OpenedDatabase {
  const now = opts.now ?? (() => new Date())
  const timeout = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS
  const file = path.join(dataDir, INVENTORY_FILE)
  const notices: InventoryNotice[] = []
  const newerNotice = (): InventoryNotice => ({
    code: 'NEWER_SCHEMA',
    message:
      'The inventory was written by a newer version of Dojang. It is open read-only: the list is shown but nothing is saved. Update Dojang to make changes.',
  })

  if (opts.readonly) {
    // Read-only callers never create, move or repair anything on disk.
    if (!fs.existsSync(file) || fs.statSync(file).size === 0) return openMemory(true, notices)
    try {
      const { db, newer, inMemory } = openReadonlyFile(file, timeout)
      if (newer) notices.push(newerNotice())
      return { db, path: inMemory ? ':memory:' : file, inMemory, readonly: true, newerSchema: newer, notices }
    } catch (e) {
      if (isLocked(e)) return openMemory(true, [{ code: 'LOCKED_FALLBACK_MEMORY', message: LOCKED_MESSAGE }])
      if (isCorrupt(e)) {
        throw new DojangError('CORRUPT_FILE', 'The inventory database is damaged; start Dojang normally to rebuild it.', { path: file }, { cause: e })
      }
      throw toDojangError(e, file)
    }
  }

  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  } catch (e) {
    throw toDojangError(e, file)
  }
  // Every start: the data folder and all it holds are the user's only (0700/0600), also when older bits were wider.
  makeDataDirPrivate(dataDir)

  const attempt = (): OpenedDatabase => {
    touchPrivateFile(file)
    const { db, newer } = openWritableFile(file, timeout)
    // SQLite copies the database file's mode to -wal and -shm; narrow any that an older run left wider.
    if (process.platform !== 'win32') {
      for (const suffix of SIDECARS) {
        try {
          if ((fs.statSync(file + suffix).mode & 0o777) !== 0o600) fs.chmodSync(file + suffix, 0o600)
        } catch {
          // Absent (no -journal in WAL mode), or not ours to change: the sweep at the next start tries again.
        }
      }
    }
    if (newer) notices.push(newerNotice())
    return { db, path: file, inMemory: false, readonly: newer, newerSchema: newer, notices }
  }

  try {
    return attempt()
  } catch (e) {
    if (isLocked(e)) {
      notices.push({ code: 'LOCKED_FALLBACK_MEMORY', message: LOCKED_MESSAGE })
      return openMemory(false, notices)
    }
    if (!isCorrupt(e)) throw toDojangError(e, file)
  }

  let movedTo: string
  try {
    movedTo = moveAside(file, now())
  } catch {
    // Cannot even rename it (held open elsewhere on Windows, or no permission): do not lose it, work in memory.
    notices.push({
      code: 'RECREATED_CORRUPT',
      message: `The inventory file ${file} is damaged and could not be moved aside. This session keeps its list in memory only.`,
    })
    return openMemory(false, notices)
  }
  notices.push({
    code: 'RECREATED_CORRUPT',
    message: `The inventory file was damaged. It was kept as ${path.basename(movedTo)} and a new, empty inventory was created; run a scan to fill it again.`,
    movedTo,
  })
  try {
    return attempt()
  } catch (e) {
    if (isLocked(e)) {
      notices.push({ code: 'LOCKED_FALLBACK_MEMORY', message: LOCKED_MESSAGE })
      return openMemory(false, notices)
    }
    throw toDojangError(e, file)
  }
}
