/**
 * Issue 11, fuzzing: a short seeded run in CI over every parser of outside data. Long runs: `npm run fuzz --
 * --count N --seed S`. Every input must end in a result or a typed DojangError that names no password; the test
 * timeout bounds the whole run (no per-input timing is asserted).
 */
import { describe, expect, it } from 'vitest'
import { inputFor, runFuzz } from './engine'
import { derHeaders } from './mutate'
import { buildTargets } from './targets'

export const CI_COUNTS: Record<string, number> = {
  certificate: 800,
  'key-file': 500,
  pkcs8: 400,
  'pfx-file': 300,
  'pfx-authsafe': 400,
  'pfx-safecontents': 300,
  'keychain-bundle': 300,
  'keychain-plaintext': 500,
  'inventory-db': 120,
  'cmp-response': 800,
}
const TOTAL = Object.values(CI_COUNTS).reduce((a, b) => a + b, 0)

describe('fuzzing (short seeded run)', () => {
  it(`${TOTAL} mutated inputs end in a result or a typed error, with no password in any error`, () => {
    const report = runFuzz({ seed: 20_261_203, count: CI_COUNTS })
    expect(report.findings).toEqual([])
    expect(report.inputs).toBe(TOTAL)
    for (const [name, n] of Object.entries(CI_COUNTS)) expect(report.targets[name]?.inputs, name).toBe(n)
    // The mutations reach past the first check: some inputs of the structure-aware targets still parse, and the
    // PFX targets see more than one kind of typed error.
    expect(report.targets.certificate!.ok).toBeGreaterThan(0)
    expect(Object.keys(report.targets['pfx-authsafe']!.errors).length).toBeGreaterThan(1)
  }, 120_000)

  it('an input is reproducible from its seed, target and index', () => {
    const [target] = buildTargets().filter((t) => t.name === 'certificate')
    const headers = target!.seeds.map((s) => derHeaders(s))
    const a = inputFor(target!, 42, 17, headers)
    const b = inputFor(target!, 42, 17, headers)
    const c = inputFor(target!, 43, 17, headers)
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false)
  })
})
