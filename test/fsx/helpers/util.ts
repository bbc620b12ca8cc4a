import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { nodeIo, type FsIo, type WritableFile } from '../../../main/core/fsx'

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const HELPERS = path.dirname(fileURLToPath(import.meta.url))

/** A temp tree per test: `<root>/data` is the data folder, `<root>/npki/...` plays a certificate folder. */
export interface Sandbox {
  root: string
  dataDir: string
  certDir: string
  cleanup(): void
}

export function sandbox(): Sandbox {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dojang-fsx-'))
  const dataDir = path.join(root, 'data')
  const certDir = path.join(root, 'npki', 'yessign', 'USER', 'cn=Test()0012345,ou=TESTBANK,o=yessign,c=kr')
  mkdirSync(certDir, { recursive: true })
  return { root, dataDir, certDir, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

/** Distinct, recognisable content of a given size. */
export function content(label: string, size = 1300): Uint8Array {
  const out = new Uint8Array(size)
  const seed = bytes(label)
  for (let i = 0; i < size; i++) out[i] = (seed[i % seed.length]! + i) & 0xff
  return out
}

export function writeFiles(dir: string, files: Record<string, Uint8Array>): void {
  for (const [name, data] of Object.entries(files)) writeFileSync(path.join(dir, name), data)
}

/** Every file under `dir` (relative), to spot temps and leftovers. */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (abs: string, rel: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) walk(path.join(abs, e.name), r)
      else out.push(r)
    }
  }
  try {
    walk(dir, '')
  } catch {
    return []
  }
  return out.sort()
}

export const tempsUnder = (dir: string): string[] => listFiles(dir).filter((f) => /\.dojang-[0-9a-f]+\.tmp$/.test(f))

export const modeOf = (p: string): number => statSync(p).mode & 0o777

export function errnoError(code: string, syscall = 'write'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated (${syscall})`), { code, syscall })
}

/**
 * Wraps the real io so that chosen calls fail. `failAt(n, op, file)` decides per call: n counts every disk-changing
 * call (open, each write, sync, rename, unlink, mkdir, syncDir) from 1. Returning an errno fails that call.
 */
export function faultyIo(failAt: (n: number, op: string, file: string) => string | undefined): FsIo & { calls: () => number } {
  let n = 0
  const check = (op: string, file: string): void => {
    const code = failAt(++n, op, file)
    if (code) throw errnoError(code, op)
  }
  const wrapFile = (f: WritableFile, file: string): WritableFile => ({
    async write(data, offset, length, position) {
      // Write half first, like a disk that fills up in the middle of a file, then fail.
      const code = failAt(++n, 'write', file)
      if (code) {
        if (length > 1) await f.write(data, offset, Math.floor(length / 2), position)
        throw errnoError(code, 'write')
      }
      return f.write(data, offset, length, position)
    },
    chmod: (mode) => f.chmod(mode),
    chown: (uid, gid) => f.chown(uid, gid),
    async sync() {
      check('fsync', file)
      await f.sync()
    },
    close: () => f.close(),
  })
  return {
    calls: () => n,
    async open(file, flags, mode) {
      check('open', file)
      return wrapFile(await nodeIo.open(file, flags, mode), file)
    },
    async rename(from, to) {
      check('rename', to)
      await nodeIo.rename(from, to)
    },
    async unlink(file) {
      check('unlink', file)
      await nodeIo.unlink(file)
    },
    async mkdir(dir, mode) {
      check('mkdir', dir)
      return nodeIo.mkdir(dir, mode)
    },
    async syncDir(dir) {
      check('syncDir', dir)
      await nodeIo.syncDir(dir)
    },
  }
}

export interface ChildResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs a TypeScript helper in a fresh Node process through tsx, optionally wrapped (setpriv, unshare). */
export function runTs(script: string, args: string[], opts: { wrapper?: string[]; timeoutMs?: number } = {}): Promise<ChildResult> {
  const nodeArgs = ['--import', 'tsx', path.join(HELPERS, script), ...args]
  const [cmd, ...cmdArgs] = opts.wrapper ? [...opts.wrapper, process.execPath, ...nodeArgs] : [process.execPath, ...nodeArgs]
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, cmdArgs, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
    child.on('error', reject)
    // 'close' comes after the child is reaped, so its pid is free when a test then checks the lock.
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}
