/**
 * The worker thread of keyCrypto.ts: runs one key job at a time and answers with its result or its error. Jobs are
 * synchronous and bounded by each file's KDF work budget, so a hostile file costs this thread a few seconds at
 * most and never the app's main thread.
 */
import { parentPort } from 'node:worker_threads'
import { isDojangError } from '../../../common/errors'
import { KEY_CRYPTO_JOBS, secretBytesOf, type JobAnswer, type JobRequest } from './keyCryptoJobs'

function run(req: JobRequest): void {
  let answer: JobAnswer
  let secrets: Uint8Array[] = []
  try {
    const fn = KEY_CRYPTO_JOBS[req.job] as (...args: unknown[]) => unknown
    if (typeof fn !== 'function') throw new Error(`unknown key job ${String(req.job)}`)
    const value = fn(...req.args)
    secrets = secretBytesOf(req.job, value)
    answer = { id: req.id, ok: true, value }
  } catch (e) {
    answer = {
      id: req.id,
      ok: false,
      error: isDojangError(e)
        ? { dojang: true, code: e.code, message: e.message, details: { ...e.details } }
        : { dojang: false, code: 'INTERNAL', message: e instanceof Error ? e.message : String(e), details: {} },
    }
  }
  parentPort!.postMessage(answer)
  // The caller has its own copy now; this thread keeps none.
  for (const s of secrets) s.fill(0)
}

parentPort?.on('message', (req: JobRequest) => run(req))
