/**
 * Certificate-folder files read by one worker thread with synchronous calls, one message per folder instead of
 * one libuv request per open, fstat, read, close or lstat on the main thread, which is what bounds a cold deep
 * scan of many folders (bench: about a third less wall time for 1,000 folders). The main event loop never blocks:
 * a hung drive stalls the worker only, a cancelled scan returns at once and `close()` ends the worker.
 *
 * The worker's code is inline (eval), so tsx, vitest and the bundled app load it the same way; it only uses
 * node:fs. Starting it costs a few tens of milliseconds, so the scanner uses it for deep scans only (scanner.ts).
 */
import { Worker } from 'node:worker_threads'
import type { FileSource, Loaded, LoadHooks } from './reader'
import { MAX_FILE_BYTES, fileProblemFor } from './reader'

const WORKER_CODE = `
const fs = require('node:fs')
const { parentPort } = require('node:worker_threads')
const FLAGS = fs.constants.O_RDONLY | (process.platform === 'win32' ? 0 : fs.constants.O_NONBLOCK)
const MAX = ${MAX_FILE_BYTES}
parentPort.on('message', (m) => {
  const out = []
  const transfer = []
  for (let i = 0; i < m.paths.length; i++) {
    const p = m.paths[i]
    try {
      if (m.statOnly[i]) {
        const st = fs.lstatSync(p)
        out.push({ kind: 'stat', isFile: st.isFile(), size: st.size, mtimeMs: st.mtimeMs })
        continue
      }
      const fd = fs.openSync(p, FLAGS)
      try {
        const st = fs.fstatSync(fd)
        if (!st.isFile()) { out.push({ kind: 'err', err: 'NotRegular' }); continue }
        if (st.size > MAX) { out.push({ kind: 'err', err: 'TooLarge' }); continue }
        const buf = new Uint8Array(st.size)
        let off = 0
        while (off < buf.length) { const n = fs.readSync(fd, buf, off, buf.length - off, off); if (n === 0) break; off += n }
        const bytes = off === buf.length ? buf : buf.slice(0, off)
        out.push({ kind: 'bytes', bytes, size: st.size, mtimeMs: st.mtimeMs })
        transfer.push(bytes.buffer)
      } finally { fs.closeSync(fd) }
    } catch (e) {
      out.push({ kind: 'err', code: e && e.code, message: String(e && e.message) })
    }
  }
  parentPort.postMessage({ id: m.id, out }, transfer)
})
`

type Reply = { kind: 'stat'; isFile: boolean; size: number; mtimeMs: number } | { kind: 'bytes'; bytes: Uint8Array; size: number; mtimeMs: number } | { kind: 'err'; err?: string; code?: string; message?: string }

export function workerSource(): FileSource {
  let worker: Worker | undefined
  let next = 0
  const waiting = new Map<number, (out: Reply[]) => void>()
  const ask = (paths: string[], statOnly: boolean[]): Promise<Reply[]> => {
    if (!worker) {
      worker = new Worker(WORKER_CODE, { eval: true })
      worker.unref()
      worker.on('message', (m: { id: number; out: Reply[] }) => {
        const cb = waiting.get(m.id)
        waiting.delete(m.id)
        cb?.(m.out)
      })
    }
    const id = next++
    return new Promise((resolve) => {
      waiting.set(id, resolve)
      worker?.postMessage({ id, paths, statOnly })
    })
  }
  const toLoaded = <C>(path: string, r: Reply | undefined): Loaded<C> => {
    // No reply: the source was closed (the scan ended or was cancelled) while the request was out.
    if (r === undefined) return { kind: 'error', problem: fileProblemFor(path, undefined, 'ECANCELED') }
    if (r.kind === 'bytes') return { kind: 'bytes', bytes: r.bytes, size: r.size, mtimeMs: r.mtimeMs }
    if (r.kind === 'err') return { kind: 'error', problem: fileProblemFor(path, r.err, r.code) }
    throw new Error('unexpected stat reply')
  }
  return {
    async load<C>(paths: readonly string[], hooks: LoadHooks<C>): Promise<Loaded<C>[]> {
      const result: (Loaded<C> | undefined)[] = paths.map(() => undefined)
      const statFirst = paths.map((p) => hooks.mayHave(p))
      if (statFirst.some(Boolean)) {
        const stats = await ask(paths.filter((_, i) => statFirst[i]), statFirst.filter(Boolean).map(() => true))
        let k = 0
        paths.forEach((p, i) => {
          if (!statFirst[i]) return
          const s = stats[k++]
          if (s?.kind === 'stat') {
            const hit = s.isFile ? hooks.lookup(p, s.size, s.mtimeMs) : undefined
            if (hit !== undefined) result[i] = { kind: 'cached', value: hit }
          }
        })
      }
      const toRead = paths.filter((_, i) => result[i] === undefined)
      if (toRead.length > 0) {
        const read = await ask(toRead, toRead.map(() => false))
        let k = 0
        paths.forEach((p, i) => {
          if (result[i] === undefined) result[i] = toLoaded<C>(p, read[k++])
        })
      }
      return result as Loaded<C>[]
    },
    close() {
      void worker?.terminate()
      worker = undefined
      for (const cb of waiting.values()) cb([])
      waiting.clear()
    },
  }
}
