/**
 * Schema migrations. `PRAGMA user_version` holds how many of them ran; migration i (0-based) moves the database
 * from version i to i + 1 inside its own IMMEDIATE transaction, so a crash or a failing step leaves the
 * previous version intact and two processes starting together cannot both run the same step.
 *
 * Rules for adding a migration (they let an older Dojang still read a newer file, see NEWER_SCHEMA):
 * - append only; never edit a released migration;
 * - additive only: new tables, new nullable or defaulted columns, new indexes; never rename or drop what an
 *   older version reads.
 */
import type Database from 'better-sqlite3'
import { MEDIA } from '../../../common/domain'

/** 'DJNG': marks the file as Dojang's, so a foreign SQLite file at our path is not mistaken for an inventory. */
export const APPLICATION_ID = 0x444a4e47

export type Migration = (db: Database.Database) => void

export const MIGRATIONS: readonly Migration[] = [
  // 1: initial schema.
  (db) => {
    db.pragma(`application_id = ${APPLICATION_ID}`)
    db.exec(`
      CREATE TABLE certificates (
        id                 INTEGER PRIMARY KEY,
        issuer             TEXT    NOT NULL,
        serial             TEXT    NOT NULL,
        subject            TEXT    NOT NULL,
        display_name       TEXT    NOT NULL,
        ca                 TEXT,
        not_before         INTEGER NOT NULL,
        not_after          INTEGER NOT NULL,
        policy_oid         TEXT,
        purpose            TEXT,
        fingerprint_sha256 TEXT    NOT NULL,
        search_text        TEXT    NOT NULL, -- lowercased NFC of the searchable fields (SQLite LIKE folds ASCII only)
        first_seen         INTEGER NOT NULL,
        last_seen          INTEGER NOT NULL,
        UNIQUE (issuer, serial)
      ) STRICT;
      CREATE INDEX certificates_not_after ON certificates (not_after);

      CREATE TABLE scan_runs (
        id                 INTEGER PRIMARY KEY,
        started_at         INTEGER NOT NULL,
        finished_at        INTEGER,
        roots              TEXT    NOT NULL, -- JSON array of strings
        folders_visited    INTEGER NOT NULL DEFAULT 0,
        certificates_found INTEGER NOT NULL DEFAULT 0,
        problems           INTEGER NOT NULL DEFAULT 0,
        status             TEXT    NOT NULL CHECK (status IN ('running', 'finished', 'cancelled', 'failed'))
      ) STRICT;

      CREATE TABLE copies (
        id             INTEGER PRIMARY KEY,
        certificate_id INTEGER NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
        medium         TEXT    NOT NULL CHECK (medium IN (${MEDIA.map((m) => `'${m}'`).join(', ')})),
        location       TEXT    NOT NULL UNIQUE,
        root           TEXT    NOT NULL,
        has_sign_cert  INTEGER NOT NULL CHECK (has_sign_cert IN (0, 1)),
        has_sign_pri   INTEGER NOT NULL CHECK (has_sign_pri IN (0, 1)),
        has_km_cert    INTEGER NOT NULL CHECK (has_km_cert IN (0, 1)),
        has_km_pri     INTEGER NOT NULL CHECK (has_km_pri IN (0, 1)),
        has_pfx        INTEGER NOT NULL CHECK (has_pfx IN (0, 1)),
        key_scheme     TEXT,
        content_hash   TEXT,
        first_seen     INTEGER NOT NULL,
        last_seen      INTEGER NOT NULL,
        last_run_id    INTEGER REFERENCES scan_runs (id) ON DELETE SET NULL,
        missing_since  INTEGER
      ) STRICT;
      CREATE INDEX copies_certificate ON copies (certificate_id);
      CREATE INDEX copies_last_run ON copies (last_run_id);

      CREATE TABLE scan_cache (
        path       TEXT    PRIMARY KEY,
        size       INTEGER NOT NULL,
        mtime_ms   REAL    NOT NULL,
        parsed     TEXT    NOT NULL, -- JSON
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE findings (
        id       INTEGER PRIMARY KEY,
        run_id   INTEGER NOT NULL REFERENCES scan_runs (id) ON DELETE CASCADE,
        kind     TEXT    NOT NULL,
        severity TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
        issuer   TEXT,
        serial   TEXT,
        location TEXT,
        detail   TEXT    NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE INDEX findings_run ON findings (run_id);

      -- AUTOINCREMENT: ids are never reused, so "before <id>" paging stays stable even after pruning.
      CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        at        INTEGER NOT NULL,
        action    TEXT    NOT NULL,
        issuer    TEXT,
        serial    TEXT,
        locations TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
        outcome   TEXT    NOT NULL,
        detail    TEXT    NOT NULL DEFAULT '{}'
      ) STRICT;

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL -- JSON
      ) STRICT, WITHOUT ROWID;
    `)
  },
  // 2: the fleet view (docs/fleet.md) and the indexes its findings count uses; copies in list order (the
  // unfiltered list reads every copy sorted by first seen: without the index that is a sort per call).
  (db) => {
    db.exec(`
      CREATE INDEX copies_first_seen ON copies (first_seen, id);
      CREATE INDEX findings_run_certificate ON findings (run_id, issuer, serial);
      CREATE INDEX findings_run_location ON findings (run_id, location);
      ${FLEET_VIEW_SQL}
    `)
  },
]

/**
 * The columns of `fleet_certificates`, in order. A published contract (osquery ATC configs name them): a later
 * migration may add columns at the end, never rename, drop or reorder these; test/inventory/fleet.test.ts pins them.
 */
export const FLEET_COLUMNS = [
  'holder_name', 'subject', 'issuer', 'ca', 'purpose', 'policy_oid', 'serial', 'not_before', 'not_after', 'days_left', 'medium',
  'location', 'root', 'profile', 'has_sign_key', 'missing', 'findings_count', 'last_seen', 'fingerprint_sha256',
] as const

/**
 * One row per copy of a certificate, for fleet tools that read the inventory file (osquery's automatic table
 * construction). Plain text and integers, times as ISO 8601 UTC text, `days_left` computed when queried (whole days,
 * rounded down, negative once expired, as the app counts them), `profile` taken from the location when it lies in a
 * user profile (/home/<u>, /Users/<u>, <drive>:\Users\<u>, /root), `findings_count` from the latest finished scan.
 * Standard SQLite only (no math or JSON functions): osquery evaluates the view with its own SQLite.
 */
const FLEET_VIEW_SQL = `
      CREATE VIEW fleet_certificates AS
      WITH now(ms) AS (SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000),
           latest(run_id) AS (SELECT max(id) FROM scan_runs WHERE status = 'finished')
      SELECT
        c.display_name AS holder_name,
        c.subject AS subject,
        c.issuer AS issuer,
        c.ca AS ca,
        c.purpose AS purpose,
        c.policy_oid AS policy_oid,
        c.serial AS serial,
        strftime('%Y-%m-%dT%H:%M:%SZ', c.not_before / 1000, 'unixepoch') AS not_before,
        strftime('%Y-%m-%dT%H:%M:%SZ', c.not_after / 1000, 'unixepoch') AS not_after,
        CASE WHEN c.not_after >= now.ms THEN (c.not_after - now.ms) / 86400000
             ELSE -((now.ms - c.not_after + 86399999) / 86400000) END AS days_left,
        k.medium AS medium,
        k.location AS location,
        k.root AS root,
        CASE
          WHEN k.location LIKE '/home/%/%' THEN substr(k.location, 7, instr(substr(k.location, 7), '/') - 1)
          WHEN k.location LIKE '/Users/%/%' THEN substr(k.location, 8, instr(substr(k.location, 8), '/') - 1)
          WHEN k.location LIKE '_:\\Users\\%\\%' THEN substr(k.location, 10, instr(substr(k.location, 10), '\\') - 1)
          WHEN k.location LIKE '/root/%' THEN 'root'
        END AS profile,
        k.has_sign_pri AS has_sign_key,
        CASE WHEN k.missing_since IS NULL THEN 0 ELSE 1 END AS missing,
        (SELECT count(*) FROM findings f, latest
          WHERE f.run_id = latest.run_id
            AND ((f.issuer = c.issuer AND f.serial = c.serial) OR f.location = k.location)) AS findings_count,
        strftime('%Y-%m-%dT%H:%M:%fZ', k.last_seen / 1000.0, 'unixepoch') AS last_seen,
        c.fingerprint_sha256 AS fingerprint_sha256
      FROM copies k
      JOIN certificates c ON c.id = k.certificate_id
      CROSS JOIN now;`

export const SCHEMA_VERSION = MIGRATIONS.length

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Brings the database up to `migrations.length`. Each step re-reads the version inside its transaction, so a
 * concurrent migrator simply finds the work done. The last (possibly empty) IMMEDIATE transaction also proves
 * that we can take the write lock, which is how a database locked by another process is detected at open.
 */
export function runMigrations(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  for (;;) {
    const done = db
      .transaction((): boolean => {
        const v = userVersion(db)
        const step = migrations[v]
        if (step === undefined) return true
        step(db)
        db.pragma(`user_version = ${v + 1}`)
        return false
      })
      .immediate()
    if (done) return userVersion(db)
  }
}
