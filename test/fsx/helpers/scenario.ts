import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'
import type { FileChange } from '../../../main/core/fsx'
import { content, tempsUnder, type Sandbox } from './util'

/**
 * The standard change used across the tests: a password change rewriting signPri.key and kmPri.key in one folder,
 * plus a file in a second folder, a new file and a deleted one, so that every kind of entry is exercised.
 */
export interface Scenario {
  changes: FileChange[]
  old: Map<string, Uint8Array | null>
  fresh: Map<string, Uint8Array | null>
}

export function scenario(sb: Sandbox, kind: 'pair' | 'mixed' = 'mixed'): Scenario {
  const other = path.join(path.dirname(sb.certDir), 'cn=Other,o=yessign,c=kr')
  mkdirSync(other, { recursive: true })
  const files: Array<{ path: string; old: Uint8Array | null; fresh: Uint8Array | null }> = [
    { path: path.join(sb.certDir, 'signPri.key'), old: content('sign-old'), fresh: content('sign-new', 1296) },
    { path: path.join(sb.certDir, 'kmPri.key'), old: content('km-old'), fresh: content('km-new', 1296) },
  ]
  if (kind === 'mixed') {
    files.push(
      { path: path.join(other, 'signPri.key'), old: content('other-old', 900), fresh: content('other-new', 901) },
      { path: path.join(sb.certDir, 'CaPubs'), old: null, fresh: content('capubs', 2000) },
      { path: path.join(sb.certDir, 'stale.pfx'), old: content('pfx', 3000), fresh: null },
    )
  }
  for (const f of files) if (f.old) writeFileSync(f.path, f.old)
  return {
    changes: files.map((f) => ({ path: f.path, data: f.fresh })),
    old: new Map(files.map((f) => [f.path, f.old])),
    fresh: new Map(files.map((f) => [f.path, f.fresh])),
  }
}

export function onDisk(file: string): Uint8Array | null {
  return existsSync(file) ? new Uint8Array(readFileSync(file)) : null
}

export function stateOf(s: Scenario): 'old' | 'new' | 'mixed' {
  const paths = [...s.old.keys()]
  const eq = (a: Uint8Array | null, b: Uint8Array | null) => (a === null || b === null ? a === b : Buffer.from(a).equals(b))
  if (paths.every((p) => eq(onDisk(p), s.old.get(p)!))) return 'old'
  if (paths.every((p) => eq(onDisk(p), s.fresh.get(p)!))) return 'new'
  return 'mixed'
}

/** Nothing left behind: no temps anywhere, no journal, no lock, no staged or half-deleted backup. */
export function expectNoLeftovers(sb: Sandbox): void {
  expect(tempsUnder(sb.root)).toEqual([])
  const jdir = path.join(sb.dataDir, 'journal')
  if (existsSync(jdir)) expect(readdirSync(jdir)).toEqual([])
  const bdir = path.join(sb.dataDir, 'backups')
  if (existsSync(bdir)) expect(readdirSync(bdir).filter((n) => n.startsWith('.'))).toEqual([])
}

export function backupIds(sb: Sandbox): string[] {
  const bdir = path.join(sb.dataDir, 'backups')
  return existsSync(bdir) ? readdirSync(bdir).filter((n) => !n.startsWith('.')).sort() : []
}
