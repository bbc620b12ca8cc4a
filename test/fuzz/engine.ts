/**
 * The fuzz loop: for each target, `count` inputs, each a seeded mutation of one of its seeds, fed synchronously.
 * An input passes when it ends in a result or a DojangError whose message and details name no password. Anything
 * else (a TypeError, a RangeError, a SqliteError, a DerError escaping) is a finding, kept with the seed, target and
 * index that regenerate it. Slow inputs are reported separately (the CLI prints them; tests never time anything).
 */
import { isDojangError } from '../../common/errors'
import { inputSeed, mutate, derHeaders, rng } from './mutate'
import { buildTargets, FUZZ_SECRETS, type FuzzTarget } from './targets'

export interface Finding {
  target: string
  index: number
  kind: 'untyped-error' | 'secret-in-error'
  error: string
  /** The first bytes of the input, hex, to look at; regenerate the whole input from seed, target and index. */
  inputHead: string
  inputLength: number
}

export interface TargetStats {
  inputs: number
  ok: number
  errors: Record<string, number>
  /** The slowest input, in ms (informational). */
  slowestMs: number
  slowestIndex: number
}

export interface FuzzReport {
  seed: number
  inputs: number
  targets: Record<string, TargetStats>
  findings: Finding[]
}

export function inputFor(target: FuzzTarget, seed: number, index: number, headers: ReturnType<typeof derHeaders>[]): Uint8Array {
  const r = rng(inputSeed(seed, target.name, index))
  const which = Math.floor(r() * target.seeds.length)
  return mutate(target.seeds[which]!, r, headers[which])
}

export function runFuzz(opts: { seed: number; count: number | Record<string, number>; only?: string[]; onProgress?: (name: string, done: number) => void }): FuzzReport {
  const targets = buildTargets().filter((t) => !opts.only || opts.only.includes(t.name))
  const report: FuzzReport = { seed: opts.seed, inputs: 0, targets: {}, findings: [] }
  try {
    for (const target of targets) {
      const count = typeof opts.count === 'number' ? opts.count : (opts.count[target.name] ?? 0)
      const headers = target.seeds.map((s) => derHeaders(s))
      const stats: TargetStats = { inputs: 0, ok: 0, errors: {}, slowestMs: 0, slowestIndex: -1 }
      report.targets[target.name] = stats
      for (let i = 0; i < count; i++) {
        const input = inputFor(target, opts.seed, i, headers)
        const started = performance.now()
        try {
          target.run(input)
          stats.ok++
        } catch (e) {
          if (isDojangError(e)) {
            stats.errors[e.code] = (stats.errors[e.code] ?? 0) + 1
            const text = `${e.message} ${JSON.stringify(e.details)}`
            if (FUZZ_SECRETS.some((s) => text.includes(s))) {
              report.findings.push({ target: target.name, index: i, kind: 'secret-in-error', error: `${e.code}: ${e.message}`, inputHead: hex(input), inputLength: input.length })
            }
          } else {
            report.findings.push({
              target: target.name,
              index: i,
              kind: 'untyped-error',
              error: e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 4).join('\n')}` : String(e),
              inputHead: hex(input),
              inputLength: input.length,
            })
          }
        }
        const ms = performance.now() - started
        if (ms > stats.slowestMs) {
          stats.slowestMs = ms
          stats.slowestIndex = i
        }
        stats.inputs++
        report.inputs++
        if (opts.onProgress && (i + 1) % 500 === 0) opts.onProgress(target.name, i + 1)
      }
    }
  } finally {
    for (const t of targets) t.dispose?.()
  }
  return report
}

const hex = (b: Uint8Array) => Buffer.from(b.subarray(0, 48)).toString('hex')
