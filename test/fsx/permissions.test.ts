import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { snapshotDir } from '../../main/core/fsx'
import { content, runTs, sandbox, tempsUnder, type Sandbox } from './helpers/util'

// Root ignores permission bits, and the tests run as root in CI, so the operations run in a child process as
// `nobody` through setpriv. As an ordinary user the bits already apply and the child runs as that user.
const isRoot = process.getuid?.() === 0
const hasSetpriv = process.platform === 'linux' && spawnSync('setpriv', ['--version']).status === 0
const NOBODY = 65534
const canRun = process.platform !== 'win32' && (!isRoot || hasSetpriv)

let sb: Sandbox
beforeEach(() => {
  sb = sandbox()
})
afterEach(() => {
  // Give write permission back so that clean-up works as a non-root user.
  const walk = (p: string): void => {
    try {
      chmodSync(p, 0o755)
      for (const n of readdirSync(p)) walk(path.join(p, n))
    } catch {
      // a file, or already gone
    }
  }
  walk(sb.root)
  sb.cleanup()
})

/** Makes `dir` (recursively) writable by the user the child runs as. */
function giveToChild(dir: string): void {
  if (!isRoot) return
  const walk = (p: string): void => {
    chownSync(p, NOBODY, NOBODY)
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(path.join(p, n))
  }
  walk(dir)
}

/** Root-owned (or, as a normal user, mode-protected) and not writable. */
function readOnly(dir: string): void {
  chmodSync(dir, 0o555)
}

async function runAsUnprivileged(cases: object[]): Promise<Record<string, { ok?: true; code?: string; message?: string; thrown?: string }>> {
  const file = path.join(sb.root, 'cases.json')
  writeFileSync(file, JSON.stringify(cases))
  chmodSync(sb.root, 0o755)
  chmodSync(file, 0o644)
  const wrapper = isRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'] : undefined
  const r = await runTs('perm-child.ts', [file], { wrapper })
  expect(r.code, r.stderr).toBe(0)
  const out = JSON.parse(r.stdout)
  if (isRoot) expect(out.uid).toBe(NOBODY)
  return out
}

describe.skipIf(!canRun)('read-only and unreadable folders (as an unprivileged user)', () => {
  it('a read-only certificate folder: PERMISSION_DENIED and not one byte changes', async () => {
    const sign = path.join(sb.certDir, 'signPri.key')
    const km = path.join(sb.certDir, 'kmPri.key')
    writeFileSync(sign, content('sign-old'), { mode: 0o644 })
    writeFileSync(km, content('km-old'), { mode: 0o644 })
    mkdirSync(sb.dataDir, { mode: 0o700 })
    giveToChild(sb.dataDir)
    readOnly(sb.certDir)
    const before = await snapshotDir(sb.root)

    const out = await runAsUnprivileged([
      { name: 'replace', op: 'replace', dataDir: sb.dataDir, paths: [sign, km] },
      { name: 'atomic', op: 'atomic', dataDir: sb.dataDir, paths: [sign] },
    ])
    expect(out.replace?.code, JSON.stringify(out.replace)).toBe('PERMISSION_DENIED')
    expect(out.replace?.message).toMatch(/Nothing was changed/)
    expect(out.atomic?.code).toBe('PERMISSION_DENIED')
    // The backup taken before the failure was removed with the journal: the data folder is as it was.
    const after = await snapshotDir(sb.root)
    after.delete('cases.json')
    before.delete('cases.json')
    expect(after).toEqual(before)
    expect(readdirSync(path.join(sb.dataDir, 'backups'))).toEqual([])
    expect(readdirSync(path.join(sb.dataDir, 'journal'))).toEqual([])
    expect(tempsUnder(sb.root)).toEqual([])
  })

  it("a read-only data folder: PERMISSION_DENIED before any certificate file is touched", async () => {
    const sign = path.join(sb.certDir, 'signPri.key')
    writeFileSync(sign, content('sign-old'), { mode: 0o644 })
    giveToChild(sb.certDir)
    mkdirSync(sb.dataDir, { mode: 0o755 })
    readOnly(sb.dataDir)
    const before = await snapshotDir(sb.root)
    const out = await runAsUnprivileged([{ name: 'replace', op: 'replace', dataDir: sb.dataDir, paths: [sign] }])
    expect(out.replace?.code, JSON.stringify(out.replace)).toBe('PERMISSION_DENIED')
    const after = await snapshotDir(sb.root)
    after.delete('cases.json')
    before.delete('cases.json')
    expect(after).toEqual(before)
  })

  it('an unreadable key file and an unreadable journal folder: PERMISSION_DENIED, nothing changed', async () => {
    const sign = path.join(sb.certDir, 'signPri.key')
    writeFileSync(sign, content('sign-old'))
    chmodSync(sign, 0o000)
    const jdir = path.join(sb.dataDir, 'journal')
    mkdirSync(jdir, { recursive: true })
    chmodSync(sb.dataDir, 0o755)
    writeFileSync(path.join(jdir, '20250102T030405678Z-0123abcd.json'), 'x')
    chmodSync(jdir, 0o000)
    const out = await runAsUnprivileged([
      { name: 'read', op: 'read', dataDir: sb.dataDir, paths: [sign] },
      { name: 'recover', op: 'recover', dataDir: sb.dataDir, paths: [] },
    ])
    expect(out.read?.code).toBe('PERMISSION_DENIED')
    expect(out.recover?.code).toBe('PERMISSION_DENIED')
    chmodSync(jdir, 0o755)
    expect(readdirSync(jdir)).toEqual(['20250102T030405678Z-0123abcd.json'])
  })
})

it.runIf(isRoot && process.platform === 'linux')('runs the permission tests when root (CI), which needs setpriv', () => {
  // Guards against the suite above silently skipping where it matters most.
  expect(hasSetpriv).toBe(true)
})
