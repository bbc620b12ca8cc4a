/**
 * 다시 찾기: a scan of every known medium (and deep-scan folders from the CLI), run as an operation with progress.
 * `scan` waits for it (the CLI); `startScan` returns the operation id at once (the app), superseding a running scan.
 */
import type { OperationContext } from '../operation'
import type { Core } from '../core'
import type { ScanOutcome } from '../scanCoordinator'

export interface ScanInput {
  /** Folders for a deep scan; the CLI's --deep. The app's page cannot name folders. */
  deep?: string[]
}

async function runScan(core: Core, input: ScanInput, ctx: OperationContext): Promise<ScanOutcome> {
  const outcome = await core.scans.scan({
    deep: input.deep,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress?.({ step: 'walk', detail: { foldersVisited: p.foldersVisited, certificatesFound: p.certificatesFound, problems: p.problems } }),
  })
  const s = outcome.result.stats
  ctx.progress?.({ step: 'walk', detail: { foldersVisited: s.foldersVisited, certificatesFound: s.certificatesFound, problems: s.problems } })
  core.inventoryChanged()
  return outcome
}

export function scan(core: Core, input: ScanInput = {}): Promise<ScanOutcome> {
  return core.operations.run('scan', (ctx) => runScan(core, input, ctx))
}

export async function startScan(core: Core, input: ScanInput = {}): Promise<{ operationId: number }> {
  const op = core.operations.start('scan', (ctx) => runScan(core, input, ctx), { replace: true })
  return { operationId: op.id }
}
