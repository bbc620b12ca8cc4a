import { existsSync, lstatSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { recoverJournals, snapshotDir, type FaultPoint } from '../../main/core/fsx'
import { backupIds, expectNoLeftovers, onDisk, scenario, stateOf, type Scenario } from './helpers/scenario'
import { content, runTs, sandbox, tempsUnder, type Sandbox } from './helpers/util'

let sb: Sandbox
beforeEach(() => {
  sb = sandbox()
})
afterEach(() => sb.cleanup())

/** Runs replaceFiles for the scenario in a child that dies at `point`. */
async function crashAt(s: Scenario, point: FaultPoint | 'none', how: 'exit' | 'sigkill' = 'exit') {
  const planFile = path.join(sb.root, 'plan.json')
  writeFileSync(planFile, JSON.stringify(s.changes.map((c) => ({ path: c.path, data: c.data ? Buffer.from(c.data).toString('base64') : null }))))
  const r = await runTs('crash-child.ts', [sb.dataDir, planFile, point, how])
  if (point === 'none') expect(r.code, r.stderr).toBe(0)
  else if (how === 'sigkill') expect(r.signal).toBe('SIGKILL')
  else expect(r.code, r.stderr).toBe(137)
  return r
}

/** The tree's bytes, without the lock file a killed child leaves (recovery takes it over and removes it). */
async function snap(): Promise<Map<string, string>> {
  const m = await snapshotDir(sb.root)
  m.delete('data/journal/.lock')
  return m
}

const journals = (): string[] => (existsSync(path.join(sb.dataDir, 'journal')) ? readdirSync(path.join(sb.dataDir, 'journal')).filter((n) => n.endsWith('.json')) : [])

describe('a real crash at each step, then recovery at the next start', () => {
  const expected: Array<[FaultPoint, 'old' | 'new', string]> = [
    ['afterBackup', 'old', 'orphan-removed'],
    ['afterTempWrite', 'old', 'discarded'],
    ['afterCommitMark', 'new', 'rolled-forward'],
    ['afterFirstRename', 'new', 'rolled-forward'],
  ]
  for (const how of ['exit', 'sigkill'] as const) {
    it.each(expected)(`%s (${how}) → %s files after recovery`, async (point, state, outcome) => {
      const s = scenario(sb)
      await crashAt(s, point, how)
      // The crash itself may leave a half-done set on disk (afterFirstRename) but never a torn file.
      if (point === 'afterFirstRename') expect(stateOf(s)).toBe('mixed')
      if (point === 'afterTempWrite' || point === 'afterCommitMark') expect(tempsUnder(sb.root).length).toBeGreaterThan(0)

      const reports = await recoverJournals(sb.dataDir)
      expect(reports.map((r) => r.outcome)).toEqual([outcome])
      if (outcome !== 'orphan-removed') {
        expect(reports[0]!.reason).toBe('crash-test')
        expect(reports[0]!.files.sort()).toEqual(s.changes.map((c) => c.path).sort())
      }
      expect(stateOf(s)).toBe(state)
      expectNoLeftovers(sb)
      // A rolled-forward change keeps its backup (it happened); an abandoned one leaves none.
      expect(backupIds(sb)).toHaveLength(state === 'new' ? 1 : 0)

      // Idempotent: a second start finds nothing and changes nothing.
      const settled = await snapshotDir(sb.root)
      expect(await recoverJournals(sb.dataDir)).toEqual([])
      expect(await snapshotDir(sb.root)).toEqual(settled)
    })
  }

  it('a crash-free child run completes (the harness itself works)', async () => {
    const s = scenario(sb)
    const r = await crashAt(s, 'none')
    expect(JSON.parse(r.stdout).backupId).toMatch(/Z-/)
    expect(stateOf(s)).toBe('new')
    expect(await recoverJournals(sb.dataDir)).toEqual([])
  })

  it('takes over the lock a killed process left, so recovery and later writes proceed', async () => {
    const s = scenario(sb, 'pair')
    await crashAt(s, 'afterTempWrite', 'sigkill')
    const lock = path.join(sb.dataDir, 'journal', '.lock')
    expect(lstatSync(lock).isSymbolicLink() || lstatSync(lock).isFile()).toBe(true)
    await recoverJournals(sb.dataDir)
    expect(() => lstatSync(lock)).toThrow()
    expect(stateOf(s)).toBe('old')
  })
})

describe('recovery when the committed files are not what the journal promised', () => {
  it('restores the old set from the backup when a temp is missing', async () => {
    const s = scenario(sb)
    await crashAt(s, 'afterCommitMark')
    const [temp] = tempsUnder(sb.root)
    renameSync(path.join(sb.root, temp!), path.join(sb.root, 'moved-away'))
    const reports = await recoverJournals(sb.dataDir)
    expect(reports.map((r) => r.outcome)).toEqual(['rolled-back'])
    expect(stateOf(s)).toBe('old')
    expectNoLeftovers(sb)
    expect(backupIds(sb)).toEqual([])
  })

  it('restores the old set when a temp is damaged, even after some targets were replaced', async () => {
    const s = scenario(sb)
    await crashAt(s, 'afterFirstRename', 'sigkill')
    const temps = tempsUnder(sb.root)
    writeFileSync(path.join(sb.root, temps[0]!), 'torn')
    expect((await recoverJournals(sb.dataDir)).map((r) => r.outcome)).toEqual(['rolled-back'])
    expect(stateOf(s)).toBe('old')
    expectNoLeftovers(sb)
  })

  it('keeps the journal and touches nothing while the drive is not connected, then finishes', async () => {
    const s = scenario(sb, 'pair')
    await crashAt(s, 'afterFirstRename')
    const unplugged = `${sb.certDir}-unplugged`
    renameSync(sb.certDir, unplugged)
    const before = await snap()
    const [report] = await recoverJournals(sb.dataDir)
    expect(report!.outcome).toBe('failed')
    expect(report!.error!.code).toBe('NOT_FOUND')
    expect(journals()).toHaveLength(1)
    expect(await snap()).toEqual(before)
    // Plugged in again: the next start completes the change.
    renameSync(unplugged, sb.certDir)
    expect((await recoverJournals(sb.dataDir)).map((r) => r.outcome)).toEqual(['rolled-forward'])
    expect(stateOf(s)).toBe('new')
    expectNoLeftovers(sb)
  })

  it('leaves a target that holds foreign bytes alone and reports a conflict', async () => {
    const s = scenario(sb, 'pair')
    await crashAt(s, 'afterFirstRename')
    const foreign = content('someone else wrote this')
    writeFileSync(s.changes[0]!.path, foreign)
    const before = await snap()
    const [report] = await recoverJournals(sb.dataDir)
    expect(report!.outcome).toBe('failed')
    expect(report!.error!.code).toBe('CONFLICT')
    expect(await snap()).toEqual(before)
    expect(onDisk(s.changes[0]!.path)).toEqual(foreign)
  })

  it('resumes a roll-back that a crash interrupted', async () => {
    const s = scenario(sb)
    await crashAt(s, 'afterFirstRename')
    // What a crash during the live roll-back leaves: the journal marked `rollback`, the new temps still there.
    const [name] = journals()
    const file = path.join(sb.dataDir, 'journal', name!)
    const journal = JSON.parse(readFileSync(file, 'utf8'))
    writeFileSync(file, JSON.stringify({ ...journal, state: 'rollback' }))
    expect((await recoverJournals(sb.dataDir)).map((r) => r.outcome)).toEqual(['rolled-back'])
    expect(stateOf(s)).toBe('old')
    expectNoLeftovers(sb)
  })
})
