/**
 * Dojang's data folder is private to its user: the inventory (certificate names, places, history), backups and
 * trash (key files), the keychain bundles and the journal are nobody else's business on a shared computer.
 * New entries are created 0o700/0o600 where they are made; this sweep, run at every start, also narrows what an
 * older Dojang, another tool or a restored backup left with wider bits. POSIX only: Windows keeps the ACLs of the
 * user's profile folder, which are already private.
 */
import fs from 'node:fs'
import path from 'node:path'
import { DIR_MODE, FILE_MODE } from './io'

/** A data folder has a few hundred entries; stop somewhere sane if it was pointed at something huge. */
const MAX_ENTRIES = 20_000

export interface PrivacyReport {
  /** Entries whose mode was narrowed. */
  fixed: number
  /** Entries that could not be changed (another owner, a read-only drive). */
  failed: number
}

function narrow(p: string, mode: number, wanted: number, report: PrivacyReport): void {
  if ((mode & 0o777) === wanted) return
  try {
    fs.chmodSync(p, wanted)
    report.fixed++
  } catch {
    report.failed++
  }
}

/**
 * Makes `dataDir` 0o700 and everything below it 0o700 (folders) or 0o600 (files). Symbolic links are neither
 * followed nor changed. Never throws: privacy is repaired where possible, and the caller's real work goes on.
 */
export function makeDataDirPrivate(dataDir: string, platform: NodeJS.Platform = process.platform): PrivacyReport {
  const report: PrivacyReport = { fixed: 0, failed: 0 }
  if (platform === 'win32') return report
  const stack = [dataDir]
  let seen = 0
  while (stack.length > 0 && seen < MAX_ENTRIES) {
    const p = stack.pop()!
    seen++
    let st: fs.Stats
    try {
      st = fs.lstatSync(p)
    } catch {
      continue
    }
    if (st.isDirectory()) {
      narrow(p, st.mode, DIR_MODE, report)
      try {
        for (const name of fs.readdirSync(p)) stack.push(path.join(p, name))
      } catch {
        report.failed++
      }
    } else if (st.isFile()) narrow(p, st.mode, FILE_MODE, report)
  }
  return report
}

/** Creates an empty file private to the user unless it exists (SQLite then gives its -wal and -shm the same mode). */
export function touchPrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT, FILE_MODE))
  } catch {
    // The open that follows reports the real problem.
  }
}
