/**
 * The operation runner: one pattern for long work (start → progress events → finished, cancellable by id) that the
 * scan, a password change of many copies, CMP issuance and QR sessions share. The work itself only sees an
 * `OperationContext`; the runner turns its progress into `OperationView` events for the renderer (and the CLI
 * prints the same events as progress lines).
 */
import type { OperationKind, OperationView } from '../../../common/contract'
import { DojangError, isDojangError } from '../../../common/errors'
import type { OperationContext, OperationProgress } from './operation'
import { errorView } from './views'

export interface StartedOperation<T> {
  id: number
  /** Settles with the work's result or its error (also reported as the final event). */
  done: Promise<T>
}

export class OperationRunner {
  private next = 1
  private readonly running = new Map<number, { kind: OperationKind; controller: AbortController }>()

  constructor(private readonly emit: (op: OperationView) => void = () => undefined) {}

  /**
   * Starts `work` and returns its id at once. With `replace`, a running operation of the same kind is cancelled
   * first (a new scan supersedes the old one).
   */
  start<T>(kind: OperationKind, work: (ctx: OperationContext) => Promise<T>, opts: { replace?: boolean } = {}): StartedOperation<T> {
    if (opts.replace) for (const [id, op] of this.running) if (op.kind === kind) this.cancel(id)
    const id = this.next++
    const controller = new AbortController()
    this.running.set(id, { kind, controller })
    let last: OperationProgress = { step: 'start' }
    const view = (state: OperationView['state'], p: OperationProgress, error?: unknown): OperationView => ({
      id,
      kind,
      state,
      step: p.step,
      ...(p.done !== undefined ? { done: p.done } : {}),
      ...(p.total !== undefined ? { total: p.total } : {}),
      detail: { ...(p.detail ?? {}) },
      ...(error !== undefined ? { error: errorView(error) } : {}),
    })
    const ctx: OperationContext = {
      signal: controller.signal,
      progress: (p) => {
        last = p
        if (this.running.has(id)) this.emit(view('running', p))
      },
    }
    this.emit(view('running', last))
    const done = (async () => {
      try {
        const value = await work(ctx)
        this.emit(view(controller.signal.aborted ? 'cancelled' : 'finished', last))
        return value
      } catch (e) {
        const cancelled = controller.signal.aborted || isDojangError(e, 'CANCELLED')
        this.emit(view(cancelled ? 'cancelled' : 'failed', last, cancelled ? undefined : e))
        throw e
      } finally {
        this.running.delete(id)
      }
    })()
    // The caller may only care about the id (a scan started from the UI); the final event reports the outcome.
    done.catch(() => undefined)
    return { id, done }
  }

  /** Runs `work` as an operation and waits for it (request/response calls that still report progress). */
  run<T>(kind: OperationKind, work: (ctx: OperationContext) => Promise<T>): Promise<T> {
    return this.start(kind, work).done
  }

  /** Asks a running operation to stop; false when it is not running (finished already, or unknown). */
  cancel(id: number): boolean {
    const op = this.running.get(id)
    if (!op) return false
    op.controller.abort(new DojangError('CANCELLED', 'Cancelled'))
    return true
  }

  /** Stops every running operation (the CLI's Ctrl-C). */
  cancelAll(): void {
    for (const id of [...this.running.keys()]) this.cancel(id)
  }

  isRunning(id: number): boolean {
    return this.running.has(id)
  }
}
