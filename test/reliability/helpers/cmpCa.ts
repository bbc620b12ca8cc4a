/**
 * The CA for the issue and renew crash suites: the test CA front over OpenSSL's CMP mock (loopback only), started
 * once per test file. Its address and certificate travel to the runs (and to the killed child processes) through
 * the environment; how many certificates it has had confirmed is asked here, in the test process.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startCaFront, type CaFront } from '../../support/cmpFront'
import { createTestPki } from '../../support/cmpServer'

/** The 참조번호 / 인가코드 the crash harness's CA accepts. */
export const CMP_REF = '20261203'
export const CMP_AUTH = 'CRSH-2026-HARN'

let front: CaFront | undefined

/** Certificates the CA has heard "accepted" for so far (positive certConf messages). */
export function confirmedByCa(): number {
  if (!front) throw new Error('the crash CA is not running in this process')
  return front.confirmations.accepted
}

export async function startCrashCa(): Promise<() => Promise<void>> {
  const pki = createTestPki()
  front = await startCaFront(pki, { ref: CMP_REF, auth: CMP_AUTH })
  const certFile = join(pki.dir, 'crash-ca.pem')
  writeFileSync(certFile, pki.caCertPem)
  process.env.DOJANG_CRASH_CA_URL = front.url
  process.env.DOJANG_CRASH_CA_CERT = certFile
  return async () => {
    delete process.env.DOJANG_CRASH_CA_URL
    delete process.env.DOJANG_CRASH_CA_CERT
    await front?.stop()
    front = undefined
    pki.cleanup()
  }
}
