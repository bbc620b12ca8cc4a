import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { FIXTURES, HONG_DIR, PYPINKSIGN_DIR, tempDir } from '../support/fixtures'

export const HONG = {
  issuer: 'CN=testsignCA SYNTHETIC FIXTURE,OU=AccreditedCA,O=testsign,C=KR',
  serial: '03e9',
  notAfter: '2044-12-27T00:00:00.000Z',
}
export const HONG_DN = 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'
export const PYPINKSIGN = { issuer: 'CN=yessignCA-Test Class 4,OU=AccreditedCA,O=yessign,C=kr', serial: '459c75' }

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

/** A temp folder removed after the test. */
export async function scratch(): Promise<string> {
  const t = await tempDir('dojang-scan-')
  cleanups.push(t.cleanup)
  return t.dir
}

const hong = {
  signCert: readFileSync(join(HONG_DIR, 'signCert.der')),
  signPri: readFileSync(join(HONG_DIR, 'signPri.key')),
  kmCert: readFileSync(join(HONG_DIR, 'kmCert.der')),
  kmPri: readFileSync(join(HONG_DIR, 'kmPri.key')),
}
export const HONG_FILES = hong

export interface FolderSpec {
  /** File names by role; omit a role to leave the file out. Defaults: signCert.der, signPri.key, kmCert.der, kmPri.key. */
  names?: Partial<Record<keyof typeof hong, string | null>>
  /** Bytes to append to signPri.key (a "different password" copy without re-encrypting). */
  signPriSuffix?: Buffer
  /** Extra files in the folder. */
  extra?: Record<string, string | Buffer>
}

/** Writes the 홍길동 certificate folder at `dir` (created with parents), with writable files. */
export function writeHong(dir: string, spec: FolderSpec = {}): string {
  mkdirSync(dir, { recursive: true })
  const names = { signCert: 'signCert.der', signPri: 'signPri.key', kmCert: 'kmCert.der', kmPri: 'kmPri.key', ...spec.names }
  for (const role of Object.keys(hong) as (keyof typeof hong)[]) {
    const name = names[role]
    if (name === null || name === undefined) continue
    let bytes = hong[role]
    if (role === 'signPri' && spec.signPriSuffix) bytes = Buffer.concat([bytes, spec.signPriSuffix])
    writeFileSync(join(dir, name), bytes)
  }
  for (const [name, data] of Object.entries(spec.extra ?? {})) writeFileSync(join(dir, name), data)
  return dir
}

/** The PyPinkSign sample (an expired yessign test certificate) as a certificate folder. */
export function writePyPinkSign(dir: string): string {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'signCert.der'), readFileSync(join(PYPINKSIGN_DIR, 'signCert.der')))
  writeFileSync(join(dir, 'signPri.key'), readFileSync(join(PYPINKSIGN_DIR, 'signPri.key')))
  return dir
}

export function pfxBytes(): Buffer {
  return readFileSync(join(FIXTURES, 'pfx', 'bankstyle_3des_randomnum.pfx'))
}
