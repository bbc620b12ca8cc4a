import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const CLI = join(__dirname, '..', '..', 'out', 'main', 'cli.js')

export interface CliResult {
  status: number
  stdout: string
  stderr: string
}

/** Runs the built `dojang` command (npm test builds it first) as a real process. */
export function dojang(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; asUser?: number; cwd?: string } = {}): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does it)`)
  const argv = ['node', CLI, ...args]
  // Root ignores file permissions; drop to an unprivileged uid to test read-only folders for real.
  const [cmd, ...rest] = opts.asUser === undefined ? argv : ['setpriv', `--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, '--clear-groups', ...argv]
  const r = spawnSync(cmd!, rest, {
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    timeout: 60_000,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  })
  if (r.error) throw r.error
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

/**
 * `dojang` as a child process without blocking this test's event loop: for runs that talk to a server the test
 * itself answers (the CMP test CA, a phone session).
 */
export function dojangAsync(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npx electron-vite build"`)
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdin.end(opts.input ?? '')
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ status: code ?? -1, stdout, stderr }))
  })
}
