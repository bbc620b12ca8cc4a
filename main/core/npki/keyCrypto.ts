/**
 * Key derivation off the main thread. Opening or writing a key runs PBKDF1/PBKDF2/the PKCS#12 KDF for up to a
 * few seconds (a file's work budget, crypto/workBudget.ts); in Electron's main process that would freeze every
 * window. These async twins of the sync functions run the same code in one worker thread (a queue: key jobs are
 * rare and short), so the event loop keeps serving IPC, timers and progress meanwhile. The CLI uses them too.
 *
 * Where the worker script comes from:
 * - electron-vite build: `out/main/keyCryptoWorker.js`, an entry of its own in electron.vite.config.ts (the code
 *   here is bundled into out/main or out/main/chunks, so both folders are looked at);
 * - TypeScript sources (vitest, tsx): keyCryptoWorker.ts, loaded through tsx's CommonJS hook in an eval bootstrap,
 *   because Node 20 does not apply `--import` loaders to a worker's entry file.
 * If neither exists, or the worker cannot start (say, a packaged app that cannot load it), the jobs run inline
 * (correct, but blocking) rather than fail.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { DojangError, ERROR_CODES, type ErrorCode } from '../../../common/errors'
import { KEY_CRYPTO_JOBS, type JobAnswer, type JobArgs, type JobResult, type KeyCryptoJob } from './keyCryptoJobs'

type Pending = { job: KeyCryptoJob; args: unknown[]; resolve: (v: unknown) => void; reject: (e: unknown) => void }

export type WorkerSource = { file: string; eval: false } | { code: string; eval: true; entry: string }

/** Where the worker script is, seen from this module's own file (`here`, in `dir`). Exported for tests. */
export function workerSource(here: string = __filename, dir: string = __dirname): WorkerSource | undefined {
  if (here.endsWith('.ts')) {
    const entry = path.join(dir, 'keyCryptoWorker.ts')
    let tsx: string
    try {
      tsx = createRequire(here).resolve('tsx/cjs/api')
    } catch {
      return undefined
    }
    const code = `require(${JSON.stringify(tsx)}).register(); require(require('node:worker_threads').workerData.entry)`
    return { code, eval: true, entry }
  }
  for (const d of [dir, path.dirname(dir)]) {
    const file = path.join(d, 'keyCryptoWorker.js')
    if (existsSync(file)) return { file, eval: false }
  }
  return undefined
}

function toError(error: Extract<JobAnswer, { ok: false }>['error']): DojangError {
  const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(error.code) ? (error.code as ErrorCode) : 'INTERNAL'
  if (error.dojang) return new DojangError(code, error.message, error.details)
  return new DojangError('INTERNAL', 'A key operation failed unexpectedly', { reason: error.message })
}

/** One worker thread and its queue. Exported for tests; everyone else uses the shared instance's functions below. */
export class KeyCryptoWorker {
  private worker: Worker | undefined
  /** The worker could not start once: run inline from then on rather than fail every key operation. */
  private unusable = false
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  /** Jobs run inline when no worker script exists (reported once through `mode`). */
  mode: 'worker' | 'inline' | 'unknown' = 'unknown'

  constructor(private readonly source: () => WorkerSource | undefined = () => workerSource()) {}

  private start(): Worker | undefined {
    if (this.worker) return this.worker
    const src = this.unusable ? undefined : this.source()
    if (!src) {
      this.mode = 'inline'
      return undefined
    }
    const worker = src.eval ? new Worker(src.code, { eval: true, workerData: { entry: src.entry } }) : new Worker(src.file)
    this.mode = 'worker'
    let answered = false
    worker.on('message', (answer: JobAnswer) => {
      answered = true
      const p = this.pending.get(answer.id)
      if (!p) return
      this.pending.delete(answer.id)
      if (this.pending.size === 0) worker.unref()
      if (answer.ok) p.resolve(answer.value)
      else p.reject(toError(answer.error))
    })
    const fail = (why: string) => {
      if (this.worker === worker) this.worker = undefined
      const pending = [...this.pending.values()]
      this.pending.clear()
      if (!answered && !this.stopping) {
        // It never worked (its script did not load): the same jobs, inline, and no further attempts.
        this.unusable = true
        this.mode = 'inline'
        for (const p of pending) this.inline(p.job, p.args).then(p.resolve, p.reject)
        return
      }
      const err = new DojangError('INTERNAL', 'The key operation stopped unexpectedly; nothing was changed', { reason: why })
      for (const p of pending) p.reject(err)
    }
    worker.on('error', (e) => fail(e instanceof Error ? e.message : String(e)))
    worker.on('exit', (code) => fail(`worker exited with code ${code}`))
    worker.unref()
    this.worker = worker
    return worker
  }

  /** Still asynchronous for the caller; blocking, but correct. */
  private inline(job: KeyCryptoJob, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve((KEY_CRYPTO_JOBS[job] as (...a: unknown[]) => unknown)(...args))
        } catch (e) {
          reject(e)
        }
      })
    })
  }

  run<J extends KeyCryptoJob>(job: J, args: JobArgs<J>): Promise<JobResult<J>> {
    const worker = this.start()
    if (!worker) return this.inline(job, args) as Promise<JobResult<J>>
    const id = this.nextId++
    return new Promise<JobResult<J>>((resolve, reject) => {
      this.pending.set(id, { job, args, resolve: resolve as (v: unknown) => void, reject })
      worker.ref()
      worker.postMessage({ id, job, args })
    })
  }

  /** Stops the worker (app quit, tests); a later job starts a new one. */
  private stopping = false

  async stop(): Promise<void> {
    const w = this.worker
    this.worker = undefined
    this.stopping = true
    try {
      if (w) await w.terminate()
    } finally {
      this.stopping = false
    }
  }
}

const shared = new KeyCryptoWorker()

/** How the jobs run in this process: 'worker' once the first job started one, 'inline' without a worker script. */
export const keyCryptoMode = (): KeyCryptoWorker['mode'] => shared.mode
export const stopKeyCryptoWorker = (): Promise<void> => shared.stop()

/** decryptPrivateKey, off the main thread. Same errors. */
export const decryptPrivateKeyAsync = (...args: JobArgs<'decryptPrivateKey'>) => shared.run('decryptPrivateKey', args)
/** encryptPrivateKey, off the main thread. */
export const encryptPrivateKeyAsync = (...args: JobArgs<'encryptPrivateKey'>) => shared.run('encryptPrivateKey', args)
/** importPfx (MAC check and every bag), off the main thread. Same errors. */
export const importPfxAsync = (...args: JobArgs<'importPfx'>) => shared.run('importPfx', args)
/** exportPfx (build, then read back), off the main thread. */
export const exportPfxAsync = (...args: JobArgs<'exportPfx'>) => shared.run('exportPfx', args)
/** checkLoadedPassword over bundle files (a keychain copy, a folder read into memory), off the main thread. */
export const checkBundlePasswordAsync = (...args: JobArgs<'checkBundlePassword'>) => shared.run('checkBundlePassword', args)
/** changeBundlePassword (open, re-encrypt, verify in memory), off the main thread. Nothing is written. */
export const changeBundlePasswordAsync = (...args: JobArgs<'changeBundlePassword'>) => shared.run('changeBundlePassword', args)
