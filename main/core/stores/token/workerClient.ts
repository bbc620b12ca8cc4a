/**
 * Dojang's side of the token worker: starts it on first use, sends one request at a time, and turns every way the
 * worker can fail into a typed error instead of a crash or a hang:
 * - no answer within the call's timeout → the worker is killed, TOKEN_UNAVAILABLE (reason 'timeout');
 * - the worker dies mid-call (a vendor module crashed) → TOKEN_UNAVAILABLE (reason 'crashed');
 * - the next call starts a fresh worker.
 *
 * How the worker process is started is a port (`SpawnWorker`): `forkWorker` here for Node (CLI, tests); the app
 * passes one built on Electron's `utilityProcess.fork` (main/ may import electron, core may not).
 */
import { fork } from 'node:child_process'
import { DojangError, ERROR_CODES, type ErrorCode } from '../../../../common/errors'
import type { WorkerErrorBody, WorkerOp, WorkerRequest, WorkerRequestBody, WorkerResponse, WorkerResults } from './protocol'
import { defaultWorkerEntry } from './workerPath'

export interface WorkerExit {
  code: number | null
  signal: string | null
}

/** One running worker process, whatever hosts it. */
export interface WorkerHandle {
  readonly pid: number | undefined
  send(message: WorkerRequest): void
  onMessage(listener: (message: unknown) => void): void
  /** Called once when the process is gone (exited, killed, or failed to start). */
  onExit(listener: (exit: WorkerExit) => void): void
  kill(): void
  /** Asks an idle worker to finalize its modules and exit (killing it if it does not); default: kill(). */
  shutdown?(): void
  /** While idle the worker must not keep the parent alive (a CLI command ends when its work is done). */
  setBusy(busy: boolean): void
}

export type SpawnWorker = () => WorkerHandle

export interface ForkWorkerOptions {
  /** The worker script; default: the built tokenWorker.js, or the TypeScript source under tsx (workerPath.ts). */
  script?: string
  execArgv?: string[]
  /** Environment of the worker (e.g. SOFTHSM2_CONF for a test token). Default: this process's environment. */
  env?: NodeJS.ProcessEnv
}

/** The Node host: `child_process.fork` with an IPC channel and JSON messages. */
export function forkWorker(opts: ForkWorkerOptions = {}): SpawnWorker {
  return () => {
    const entry = opts.script ? { script: opts.script, execArgv: opts.execArgv ?? [] } : defaultWorkerEntry()
    const child = fork(entry.script, [], {
      execArgv: opts.execArgv ?? entry.execArgv,
      env: opts.env ?? process.env,
      // The worker's stderr shows module loader complaints; stdout is not used by the protocol.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'json',
    })
    let exited = false
    const exitListeners: ((e: WorkerExit) => void)[] = []
    const fire = (e: WorkerExit): void => {
      if (exited) return
      exited = true
      for (const l of exitListeners) l(e)
    }
    child.on('exit', (code, signal) => fire({ code, signal }))
    child.on('error', () => fire({ code: null, signal: null }))
    return {
      pid: child.pid,
      send: (m) => {
        child.send(m, (err) => {
          if (err) fire({ code: null, signal: null })
        })
      },
      onMessage: (l) => child.on('message', l),
      onExit: (l) => exitListeners.push(l),
      kill: () => {
        child.kill('SIGKILL')
      },
      shutdown: () => {
        if (exited) return
        if (!child.connected) {
          child.kill('SIGKILL')
          return
        }
        // The worker finalizes its modules (C_Finalize) when the channel closes; a worker stuck in a module is killed.
        child.disconnect()
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000)
        timer.unref()
        child.once('exit', () => clearTimeout(timer))
      },
      setBusy: (busy) => {
        const channel = child.channel as { ref?: () => void; unref?: () => void } | null | undefined
        if (busy) {
          child.ref()
          channel?.ref?.()
        } else {
          child.unref()
          channel?.unref?.()
        }
      },
    }
  }
}

export interface TokenWorkerClientOptions {
  spawn?: SpawnWorker
  /** Per call, unless the call says otherwise. Default 30 s: a token that needs longer is treated as hung. */
  timeoutMs?: number
}

export const DEFAULT_TOKEN_TIMEOUT_MS = 30_000

export class TokenWorkerClient {
  private readonly spawn: SpawnWorker
  private readonly timeoutMs: number
  private worker: WorkerHandle | undefined
  private nextId = 1
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false
  private pending: PendingCall | undefined
  /** How many workers were started: lets tests see that a crash led to a fresh one. */
  started = 0

  constructor(opts: TokenWorkerClientOptions = {}) {
    this.spawn = opts.spawn ?? forkWorker()
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS
  }

  get pid(): number | undefined {
    return this.worker?.pid
  }

  /** Sends one request; requests run one after another (a token does one thing at a time anyway). */
  request<K extends WorkerOp>(body: Extract<WorkerRequestBody, { op: K }>, opts: { timeoutMs?: number } = {}): Promise<WorkerResults[K]> {
    const run = this.queue.then(
      () => this.run(body, opts.timeoutMs ?? this.timeoutMs),
      () => this.run(body, opts.timeoutMs ?? this.timeoutMs),
    )
    this.queue = run.catch(() => undefined)
    return run as Promise<WorkerResults[K]>
  }

  /**
   * Stops the current worker; the next call starts a fresh one, which loads and initializes the modules again. For
   * a rescan after a device change: some modules only see tokens that were present at C_Initialize.
   */
  reset(): void {
    this.stop(true)
  }

  /** Stops the worker (its modules are finalized when it exits). */
  close(): void {
    this.closed = true
    this.stop(true)
  }

  /** Drops the current worker: gently when it is idle and `graceful`, otherwise by killing it. */
  private stop(graceful = false): void {
    const w = this.worker
    this.worker = undefined
    if (!w) return
    if (graceful && !this.pending && w.shutdown) w.shutdown()
    else w.kill()
  }

  private ensureWorker(): WorkerHandle {
    if (this.worker) return this.worker
    const w = this.spawn()
    this.started++
    this.worker = w
    // One listener of each kind per worker; they hand the event to whichever call is waiting on this worker.
    w.onMessage((raw) => {
      const res = raw as WorkerResponse
      const p = this.pending
      if (!p || p.worker !== w || !res || typeof res !== 'object' || res.id !== p.id) return
      p.settle(() => (res.ok ? p.resolve(res.result) : p.reject(fromWorker(res.error))))
    })
    w.onExit((exit) => {
      if (this.worker === w) this.worker = undefined
      const p = this.pending
      if (!p || p.worker !== w) return
      p.settle(() =>
        p.reject(
          unavailable(p.op, 'crashed', 'The security token module stopped unexpectedly (the token program crashed). Unplug the token, plug it in again and retry.', undefined, exit),
        ),
      )
    })
    return w
  }

  private run(body: WorkerRequestBody, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new DojangError('TOKEN_UNAVAILABLE', 'The token service was closed.', { reason: 'closed' }))
    const op = body.op
    let w: WorkerHandle
    try {
      w = this.ensureWorker()
    } catch (e) {
      return Promise.reject(unavailable(op, 'start-failed', 'The token worker could not be started.', e))
    }
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      let settled = false
      const settle = (fn: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (this.pending?.id === id) this.pending = undefined
        w.setBusy(false)
        fn()
      }
      const timer = setTimeout(() => {
        settle(() => reject(unavailable(op, 'timeout', `The security token did not answer within ${Math.round(timeoutMs / 1000)} s; Dojang stopped waiting for it.`)))
        // A hung vendor module cannot be interrupted: the whole worker goes, the next call starts a fresh one.
        if (this.worker === w) this.stop()
        else w.kill()
      }, timeoutMs)
      this.pending = { id, op, worker: w, settle, resolve, reject }
      w.setBusy(true)
      try {
        w.send({ ...body, id } as WorkerRequest)
      } catch (e) {
        settle(() => reject(unavailable(op, 'send-failed', 'Could not reach the token worker.', e)))
        this.stop()
      }
    })
  }
}

interface PendingCall {
  id: number
  op: string
  worker: WorkerHandle
  settle: (fn: () => void) => void
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
}

function unavailable(op: string, reason: string, message: string, cause?: unknown, exit?: WorkerExit): DojangError {
  const details: Record<string, string | number | boolean> = { op, reason }
  if (exit?.code !== undefined && exit.code !== null) details.exitCode = exit.code
  if (exit?.signal) details.signal = exit.signal
  return new DojangError('TOKEN_UNAVAILABLE', message, details, cause === undefined ? undefined : { cause })
}

/** A worker's error as a DojangError; anything malformed becomes INTERNAL rather than trusted. */
function fromWorker(e: WorkerErrorBody | undefined): DojangError {
  if (!e || !(ERROR_CODES as readonly string[]).includes(e.code) || typeof e.message !== 'string') {
    return new DojangError('INTERNAL', 'The token worker sent a malformed error.')
  }
  const details: Record<string, string | number | boolean> = {}
  for (const [k, v] of Object.entries(e.details ?? {})) if (['string', 'number', 'boolean'].includes(typeof v)) details[k] = v
  return new DojangError(e.code as ErrorCode, e.message, details)
}
