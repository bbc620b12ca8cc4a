/**
 * Crash safety, measured: every file-changing command runs once per named fault point (main/core/fsx/faults.ts),
 * failing there in two ways: an error thrown at that step (the process lives on and cleans up), and a child process
 * killed with SIGKILL at that step (recovery happens at the next start). A fresh Core then opens the same folders,
 * which runs recoverJournals, and the operation's check decides whether anything was lost: the certificate folder
 * holds the complete old pair or the complete new pair, the password that goes with it opens it, and a replaced or
 * deleted pair is listed and restorable (backups, trash).
 *
 * CI runs the error and the kill at a deterministic, evenly spread sample of points per operation;
 * `DOJANG_CRASH_ALL=1 npx vitest run test/reliability` fails at every point and kills at 20 per operation.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isDojangError } from '../../../common/errors'
import { setFaultProbe, type FaultSite } from '../../../main/core/fsx'
import { runTs } from '../../fsx/helpers/util'
import { tempDir } from '../../support/fixtures'
import { coreOf, makeWorld, operation, saveState, type Operation, type Verdict, type World } from './world'

const ALL = process.env.DOJANG_CRASH_ALL === '1'
/** CI: an error at up to 60 points and a kill at 5 per operation, spread evenly; the long run: every point, 20 kills. */
const CI_ERROR_SAMPLE = 60
const CI_KILL_SAMPLE = 5
const LONG = 1_800_000

/** A fault point's name for the report: the step, the phase and the file without its random parts. */
export function siteName(s: FaultSite): string {
  const base = path
    .basename(s.file)
    .replace(/\.dojang-[0-9a-f]+\.tmp$/, '.tmp')
    .replace(/\d{8}T\d{6,9}Z-[0-9a-f]+/g, '<id>')
    .replace(/^cn=.*$/, '<certificate folder>')
  return `${s.step}:${s.phase} ${base}`
}

interface Run {
  op: string
  kind: 'error' | 'kill'
  index: number
  point: string
  verdict: Verdict
  /** The error the command reported, for an injected error; it must be a typed one. */
  untyped?: string
}
const runs: Run[] = []

async function freshWorld(op: Operation): Promise<{ w: World; cleanup: () => Promise<void> }> {
  const t = await tempDir('dojang-crash-')
  const w = await makeWorld(t.dir)
  const core = await coreOf(w)
  try {
    await op.setup(core, w)
  } finally {
    core.close()
  }
  await saveState(w)
  return { w, cleanup: t.cleanup }
}

async function judge(op: Operation, w: World): Promise<Verdict> {
  const core = await coreOf(w) // recoverJournals runs here, as at the next start
  try {
    return await op.check(core, w)
  } catch (e) {
    return { ok: false, outcome: 'check failed', problem: String(e) }
  } finally {
    core.close()
  }
}

/** The fault points one undisturbed run of `op` passes, in order. */
async function record(op: Operation): Promise<string[]> {
  const { w, cleanup } = await freshWorld(op)
  const sites: string[] = []
  const core = await coreOf(w)
  setFaultProbe((s) => void sites.push(siteName(s)))
  try {
    await op.run(core, w)
  } finally {
    setFaultProbe(null)
    core.close()
  }
  const v = await judge(op, w)
  await cleanup()
  expect(v.ok, v.problem).toBe(true)
  return sites
}

async function errorAt(op: Operation, index: number, point: string): Promise<void> {
  const { w, cleanup } = await freshWorld(op)
  const core = await coreOf(w)
  let n = 0
  setFaultProbe(() => {
    if (n++ === index) throw Object.assign(new Error(`injected fault at ${point}`), { code: 'EIO' })
  })
  let untyped: string | undefined
  try {
    await op.run(core, w)
  } catch (e) {
    if (!isDojangError(e)) untyped = String(e)
  } finally {
    setFaultProbe(null)
    core.close()
  }
  runs.push({ op: op.name, kind: 'error', index, point, verdict: await judge(op, w), untyped })
  await cleanup()
}

async function killAt(op: Operation, index: number, point: string): Promise<void> {
  const { w, cleanup } = await freshWorld(op)
  const r = await runTs('../../reliability/helpers/op-child.ts', [w.dir, op.name, String(index)], { timeoutMs: 120_000 })
  expect(r.signal, `${op.name} @${index} ${point}: ${r.stdout} ${r.stderr}`).toBe('SIGKILL')
  runs.push({ op: op.name, kind: 'kill', index, point, verdict: await judge(op, w) })
  await cleanup()
}

/** `count` indices spread evenly over 0..n-1, always including the first and last (deterministic). */
export function sample(n: number, count: number): number[] {
  if (count >= n) return [...Array(n).keys()]
  const out = new Set<number>()
  for (let i = 0; i < count; i++) out.add(Math.round((i * (n - 1)) / (count - 1)))
  return [...out]
}

/** The suite for one operation; one test file per operation so that vitest runs them side by side. */
export function crashSuite(name: string, opts: { errorSample?: number; killSample?: number; before?: () => Promise<() => Promise<void>> } = {}): void {
  const op = operation(name)
  const ERROR_SAMPLE = ALL ? Infinity : (opts.errorSample ?? CI_ERROR_SAMPLE)
  const KILL_SAMPLE = ALL ? 20 : (opts.killSample ?? CI_KILL_SAMPLE)
  let points: string[] = []
  let stop: (() => Promise<void>) | undefined
  beforeAll(async () => {
    stop = await opts.before?.()
  }, 120_000)
  afterAll(async () => {
    await stop?.()
  })
  describe(`${name} survives a failure at every fault point`, () => {
  it('passes named fault points when nothing fails', async () => {
    points = await record(op)
    expect(points.length).toBeGreaterThan(5)
    expect(points.some((p) => p.startsWith('rename:'))).toBe(true)
  }, LONG)
  it('an error at each point: nothing lost, the error is typed', async () => {
    for (const i of sample(points.length, ERROR_SAMPLE)) await errorAt(op, i, points[i]!)
    const mine = runs.filter((r) => r.op === op.name && r.kind === 'error')
    expect(mine).toHaveLength(Math.min(points.length, ERROR_SAMPLE))
    expect(mine.filter((r) => !r.verdict.ok).map((r) => `${r.index} ${r.point}: ${r.verdict.problem}`)).toEqual([])
    expect(mine.filter((r) => r.untyped).map((r) => `${r.index} ${r.point}: ${r.untyped}`)).toEqual([])
  }, LONG)
  it('a kill at sampled points (SIGKILL in a child): nothing lost after recovery', async () => {
    for (const i of sample(points.length, KILL_SAMPLE)) await killAt(op, i, points[i]!)
    const mine = runs.filter((r) => r.op === op.name && r.kind === 'kill')
    expect(mine.length).toBeGreaterThan(0)
    expect(mine.filter((r) => !r.verdict.ok).map((r) => `${r.index} ${r.point}: ${r.verdict.problem}`)).toEqual([])
  }, LONG)
  })

  afterAll(() => {
    const mine = runs.filter((r) => r.op === op.name)
    const err = mine.filter((r) => r.kind === 'error')
    const kill = mine.filter((r) => r.kind === 'kill')
    const outcomes = [...new Set(mine.map((r) => r.verdict.outcome))].join(', ')
    // One line per operation, the figures docs/reliability.md quotes.
    process.stdout.write(
      `\ncrash harness ${op.name}: ${points.length} fault points; ${err.length} error runs (${err.filter((r) => r.verdict.ok).length} nothing lost), ` +
        `${kill.length} kill runs (${kill.filter((r) => r.verdict.ok).length} nothing lost); outcomes: ${outcomes}\n`,
    )
  })
}
