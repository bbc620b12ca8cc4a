/** Shared fixture paths and OpenSSL helpers for the NPKI certificate tests. */
import { openssl as runOpenssl } from '../support/openssl'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const FIXTURES = fileURLToPath(new URL('../fixtures/npki', import.meta.url))
export const DN_FOLDER = 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'
export const USER_DIR = join(FIXTURES, 'NPKI', 'testsign', 'USER', DN_FOLDER)

export const PATHS = {
  sign: join(USER_DIR, 'signCert.der'),
  km: join(USER_DIR, 'kmCert.der'),
  ca: join(FIXTURES, 'ca', 'testsignCA.der'),
  pypinksign: join(FIXTURES, 'public-samples', 'pypinksign', 'signCert.der'),
} as const

export interface Vectors {
  idn: string
  realName: string
  randomNum: string
  vid_sha256: string
}

export function vectors(): Vectors {
  return JSON.parse(readFileSync(join(FIXTURES, 'vectors.json'), 'utf8')) as Vectors
}

export function readFixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path))
}

export const openssl = (args: string[], input?: Uint8Array): Buffer => runOpenssl(args, { input })

/** `openssl x509 -inform DER -noout <flag>` → the text after `=` on its single output line. */
export function x509Field(path: string, flag: string): string {
  const out = openssl(['x509', '-inform', 'DER', '-in', path, '-noout', flag]).toString('utf8').trim()
  const eq = out.indexOf('=')
  return eq >= 0 ? out.slice(eq + 1) : out
}

/** A scratch directory removed by the returned cleanup function. */
export function scratchDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dojang-npki-'))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Makes a self-signed DER certificate with OpenSSL (EC P-256 keeps it fast). `extra` goes to `openssl req`,
 * e.g. `-addext` options.
 */
export function makeCert(dir: string, name: string, subject: string, extra: string[] = []): Uint8Array {
  const key = join(dir, `${name}.key.pem`)
  const out = join(dir, `${name}.der`)
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key])
  openssl(['req', '-x509', '-new', '-key', key, '-subj', subject, '-utf8', '-days', '30', '-outform', 'DER', '-out', out, ...extra])
  return readFixture(out)
}

export function writeTemp(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name)
  writeFileSync(p, bytes)
  return p
}
