import { readdirSync, readFileSync } from 'node:fs'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const FIXTURES = join(__dirname, '..', 'fixtures', 'npki')
export const HONG_DIR = join(FIXTURES, 'NPKI', 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr')
export const PYPINKSIGN_DIR = join(FIXTURES, 'public-samples', 'pypinksign')

interface Vectors {
  password: string
  idn: string
  randomNum: string
  vid_sha256: string
  files: Record<string, { scheme: string; salt: string; iterations: number; key: string; iv: string; trailing_bytes?: number }>
}
export const VECTORS = JSON.parse(readFileSync(join(FIXTURES, 'vectors.json'), 'utf8')) as Vectors
export const FIXTURE_PASSWORD = VECTORS.password
export const PYPINKSIGN_PASSWORD = 'WTuA8Ev0lWXVFSiI!'

export function fixture(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, ...parts)))
}

export async function tempDir(prefix = 'dojang-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** A writable copy of the 홍길동 fixture folder inside `parent`. */
export async function copyHongFolder(parent: string, name = 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'): Promise<string> {
  const dest = join(parent, 'NPKI', 'testsign', 'USER', name)
  await cp(HONG_DIR, dest, { recursive: true })
  return dest
}

/**
 * The files of the 홍길동 fixture as an in-memory bundle (sorted by name), optionally without the km pair or with
 * extra files; the one helper every store test uses.
 */
export function hongBundle(opts: { withKm?: boolean; extra?: { name: string; data: Uint8Array }[] } = {}): { files: { name: string; data: Uint8Array }[] } {
  const names = readdirSync(HONG_DIR)
    .sort()
    .filter((n) => opts.withKm !== false || !/^km/i.test(n))
  return { files: [...names.map((name) => ({ name, data: new Uint8Array(readFileSync(join(HONG_DIR, name))) })), ...(opts.extra ?? [])] }
}
