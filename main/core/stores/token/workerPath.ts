/**
 * Where the token worker script is, at run time.
 *
 * - Built app and CLI: electron-vite bundles main/core into `out/main/index.js`, `out/main/cli.js` and shared chunks
 *   under `out/main/chunks/`, and the worker (an extra input in electron.vite.config.ts) into
 *   `out/main/tokenWorker.js`. This module's code may sit in either folder, so both `__dirname` and its parent are
 *   looked at.
 * - Tests (vitest) and `tsx`: there is no built file beside the source; the TypeScript source `tokenWorker.ts` is
 *   forked with `--import tsx` (tsx is a dev dependency), so tests need no build step.
 * The app may also pass an explicit path (e.g. from `app.getAppPath()`) through forkWorker({ script }).
 */
import { existsSync } from 'node:fs'
import path from 'node:path'

export const WORKER_BUILT_NAME = 'tokenWorker.js'
export const WORKER_SOURCE_NAME = 'tokenWorker.ts'

export interface WorkerEntry {
  script: string
  execArgv: string[]
}

export function defaultWorkerEntry(here: string = __dirname): WorkerEntry {
  for (const dir of [here, path.dirname(here)]) {
    const built = path.join(dir, WORKER_BUILT_NAME)
    if (existsSync(built)) return { script: built, execArgv: [] }
  }
  const source = path.join(here, WORKER_SOURCE_NAME)
  if (existsSync(source)) return { script: source, execArgv: ['--import', 'tsx'] }
  // Reported by the client as TOKEN_UNAVAILABLE (the fork fails): a broken install, not a token problem.
  return { script: path.join(here, WORKER_BUILT_NAME), execArgv: [] }
}
