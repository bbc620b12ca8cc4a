/**
 * The app's host for the token worker: Electron's `utilityProcess`. core/ never depends on Electron, so the app's
 * bootstrap (main/index.ts) passes its `utilityProcess` object in; only the few members used here are typed, as
 * UtilityProcessLike.
 *
 * Inside, the worker talks through `process.parentPort` (tokenWorker.ts). A utility process never keeps the app
 * alive on its own, so setBusy has nothing to do.
 */
import type { SpawnWorker, WorkerExit } from './workerClient'

export interface UtilityChildLike {
  readonly pid: number | undefined
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
  on(event: 'exit', listener: (code: number) => void): unknown
  kill(): boolean
}

export interface UtilityProcessLike {
  fork(modulePath: string, args?: string[], options?: { env?: NodeJS.ProcessEnv; serviceName?: string; stdio?: 'inherit' | 'ignore' | 'pipe' }): UtilityChildLike
}

export function utilityProcessWorker(up: UtilityProcessLike, opts: { script: string; env?: NodeJS.ProcessEnv }): SpawnWorker {
  return () => {
    const child = up.fork(opts.script, [], { serviceName: 'Dojang token worker', stdio: 'inherit', ...(opts.env ? { env: opts.env } : {}) })
    let exited = false
    const exitListeners: ((e: WorkerExit) => void)[] = []
    child.on('exit', (code) => {
      if (exited) return
      exited = true
      for (const l of exitListeners) l({ code, signal: null })
    })
    return {
      get pid() {
        return child.pid
      },
      send: (m) => child.postMessage(m),
      onMessage: (l) => {
        child.on('message', l)
      },
      onExit: (l) => {
        exitListeners.push(l)
      },
      kill: () => {
        child.kill()
      },
      setBusy: () => undefined,
    }
  }
}
