import { spawnSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CertBundle } from '../../main/core/stores/types'
import { fixture } from '../support/fixtures'

export const REPO = join(__dirname, '..', '..')
export const HONG_DN = 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'
export const YESSIGN_DN = 'cn=HKD(KILDONG.HONG)009104120200225191000030,ou=INITECH,ou=personal4IB,o=yessign,c=kr'
export const HONG_SERIAL = '03e9'

export { codeOf, errorOf } from '../support/errors'

export { hongBundle } from '../support/fixtures'

/** A one-file bundle with the PyPinkSign (yessign) certificate under a given spelling. */
export function yessignBundle(certName = 'signCert.der'): CertBundle {
  return {
    files: [
      { name: certName, data: fixture('public-samples', 'pypinksign', 'signCert.der') },
      { name: 'signPri.key', data: fixture('public-samples', 'pypinksign', 'signPri.key') },
    ],
  }
}

/** Writes `files` (name → bytes) into `dir`, creating it. */
export async function writeFolder(dir: string, files: Record<string, Uint8Array | string>): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data)
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b))
}

/**
 * Runs TypeScript `code` (CommonJS, `require` of repo files allowed) in a fresh Node with tsx, optionally as an
 * unprivileged user. Returns the exit status, the signal when it was killed by the timeout, and output.
 */
export function runTs(code: string, opts: { asUser?: number; timeoutMs?: number } = {}): { status: number | null; signal: string | null; stdout: string; stderr: string; ms: number } {
  const argv = ['node', '--import', 'tsx', '-e', code]
  const [cmd, ...args] = opts.asUser === undefined ? argv : ['setpriv', `--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, '--clear-groups', ...argv]
  const started = Date.now()
  const r = spawnSync(cmd!, args, { cwd: REPO, encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000, env: { ...process.env, NODE_OPTIONS: '' } })
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw r.error
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started }
}
