/**
 * The CA for the issue and renew crash suites: the test CA front over OpenSSL's CMP mock (loopback only), started
 * once per test file. Its address and certificate travel to the runs (and to the killed child processes) through
 * the environment.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startCaFront } from '../../support/cmpFront'
import { createTestPki } from '../../support/cmpServer'
import { CMP_AUTH, CMP_REF } from './world'

export async function startCrashCa(): Promise<() => Promise<void>> {
  const pki = createTestPki()
  const front = await startCaFront(pki, { ref: CMP_REF, auth: CMP_AUTH })
  const certFile = join(pki.dir, 'crash-ca.pem')
  writeFileSync(certFile, pki.caCertPem)
  process.env.DOJANG_CRASH_CA_URL = front.url
  process.env.DOJANG_CRASH_CA_CERT = certFile
  return async () => {
    delete process.env.DOJANG_CRASH_CA_URL
    delete process.env.DOJANG_CRASH_CA_CERT
    await front.stop()
    pki.cleanup()
  }
}
