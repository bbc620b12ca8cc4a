/**
 * Named fault points for the crash-safety harness (test/reliability/). Every step that changes the disk announces
 * itself before and after it runs: `write`, `fsync`, `rename`, `unlink`, `mkdir`, `syncDir`, `remove` and the
 * transaction steps of replaceFiles (`backup`, `commit`). A test installs one probe for the process; the probe may
 * throw (the step fails) or kill the process (a crash at that step). Without a probe each point is one null check,
 * so production pays nothing measurable.
 */
export type FaultPhase = 'before' | 'after'

export interface FaultSite {
  step: string
  phase: FaultPhase
  /** The file or folder the step works on (a temp name included). */
  file: string
}

export type FaultProbe = (site: FaultSite) => void

let probe: FaultProbe | null = null

/** Installs (or with null removes) the process-wide probe. Tests only. */
export function setFaultProbe(p: FaultProbe | null): void {
  probe = p
}

export function faultPoint(step: string, phase: FaultPhase, file: string): void {
  if (probe !== null) probe({ step, phase, file })
}

/** Runs `fn` between the `before` and `after` points of `step`. */
export async function atFaultPoints<T>(step: string, file: string, fn: () => Promise<T>): Promise<T> {
  if (probe === null) return fn()
  faultPoint(step, 'before', file)
  const out = await fn()
  faultPoint(step, 'after', file)
  return out
}
