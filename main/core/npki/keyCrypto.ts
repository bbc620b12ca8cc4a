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
 * If neither exists the jobs run inline (correct, but blocking) rather than fail.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { DojangError, ERROR_CODES, type ErrorCode } from '../../../common/errors'
import { KEY_CRYPTO_JOBS, type JobAnswer, type JobArgs, type JobResult, type KeyCryptoJob } from './keyCryptoJobs'

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void }

function workerSource(): { file: string; eval: false } | { code: string; eval: true; entry: string } | undefined {
  const here = __filename
  if (here.endsWith('.ts')) {
    const entry = path.join(__dirname, 'keyCryptoWorker.ts')
    let tsx: string
    try {
      tsx = createRequire(here).resolve('tsx/cjs/api')
    } catch {
      return undefined
    }
    const code = `require(${JSON.stringify(tsx)}).register(); require(require('node:worker_threads').workerData.entry)`
    return { code, eval: true, entry }
  }
  for (const dir of [__dirname, path.dirname(__dirname)]) {
    const file = path.join(dir, 'keyCryptoWorker.js')
    if (existsSync(file)) return { file, eval: false }
  }
  return undefined
}

function toError(error: Extract<JobAnswer, { ok: false }>['error']): DojangError {
  const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(error.code) ? (error.code as ErrorCode) : 'INTERNAL'
  if (error.dojang) return new DojangError(code, error.message, error.details)
  return new DojangError('INTERNAL', 'A key operation failed unexpectedly', { reason: error.message })
}

class KeyCryptoWorker {
  private worker: Worker | undefined
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  /** Jobs run inline when no worker script exists (reported once through `mode`). */
  mode: 'worker' | 'inline' | 'unknown' = 'unknown'

  private start(): Worker | undefined {
    if (this.worker) return this.worker
    const src = workerSource()
    if (!src) {
      this.mode = 'inline'
      return undefined
    }
    const worker = src.eval ? new Worker(src.code, { eval: true, workerData: { entry: src.entry } }) : new Worker(src.file)
    this.mode = 'worker'
    worker.on('message', (answer: JobAnswer) => {
      const p = this.pending.get(answer.id)
      if (!p) return
      this.pending.delete(answer.id)
      if (this.pending.size === 0) worker.unref()
      if (answer.ok) p.resolve(answer.value)
      else p.reject(toError(answer.error))
    })
    const fail = (why: string) => {
      if (this.worker === worker) this.worker = undefined
      const err = new DojangError('INTERNAL', 'The key operation stopped unexpectedly; nothing was changed', { reason: why })
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    worker.on('error', (e) => fail(e instanceof Error ? e.message : String(e)))
    worker.on('exit', (code) => fail(`worker exited with code ${code}`))
    worker.unref()
    this.worker = worker
    return worker
  }

  run<J extends KeyCryptoJob>(job: J, args: JobArgs<J>): Promise<JobResult<J>> {
    const worker = this.start()
    if (!worker) {
      // Still asynchronous for the caller; blocking, but correct.
      return new Promise((resolve, reject) => {
        setImmediate(() => {
          try {
            resolve((KEY_CRYPTO_JOBS[job] as (...a: unknown[]) => JobResult<J>)(...args))
          } catch (e) {
            reject(e)
          }
        })
      })
    }
    const id = this.nextId++
    return new Promise<JobResult<J>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      worker.ref()
      worker.postMessage({ id, job, args })
    })
  }

  /** Stops the worker (app quit, tests); a later job starts a new one. */
  async stop(): Promise<void> {
    const w = this.worker
    this.worker = undefined
    if (w) await w.terminate()
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
