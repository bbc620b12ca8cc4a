/**
 * Signature-protected transactions (kur, rr) that must fail, and the input checks that must fail before any
 * network traffic (a profile pointing at a closed port proves nothing was sent: the error would be CA_UNREACHABLE).
 */
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueCertificate, localMockProfile, renewCertificate, revokeCertificate, type CrlReason } from '../../main/core/issuance'
import { codeOf, errorOf } from '../support/errors'
import { closedPort, createTestPki, newRsaKey, signedServerArgs, startMock, type TestPki } from '../support/cmpServer'

let pki: TestPki
let stranger: TestPki
let current: { certDer: Uint8Array; pkcs8: Uint8Array }
let cert2: string
let key2: ReturnType<typeof newRsaKey>

beforeAll(() => {
  pki = createTestPki()
  stranger = createTestPki({ caDn: '/C=KR/O=Elsewhere/CN=Other Root' })
  const key1 = newRsaKey()
  const cert1 = pki.issue('cert1', key1.privateKey)
  const x1 = new X509Certificate(readFileSync(cert1))
  current = { certDer: new Uint8Array(x1.raw), pkcs8: new Uint8Array(key1.privateKey.export({ type: 'pkcs8', format: 'der' })) }
  key2 = newRsaKey()
  cert2 = pki.issue('cert2', key2.privateKey, { serialHex: x1.serialNumber })
})
afterAll(() => {
  pki?.cleanup()
  stranger?.cleanup()
})

describe('signed transactions that must fail', () => {
  it("kur: an answer signed by a CA the profile does not trust is CA_BAD_RESPONSE untrusted-signer", async () => {
    const mock = await startMock(pki, [...signedServerArgs(pki), '-rsp_cert', cert2])
    try {
      const e = await errorOf(renewCertificate({
        profile: localMockProfile({ url: mock.url, caCertPem: stranger.caCertPem }),
        current,
        password: { keep: 'Dojang!7q9w2' },
        deps: { generateKeyPair: () => key2 },
      }))
      expect(e.code).toBe('CA_BAD_RESPONSE')
      expect(e.details.reason).toBe('untrusted-signer')
    } finally {
      await mock.stop()
    }
  })

  it("kur: a CA that does not trust our certificate refuses it: CA_REJECTED with the CA's reason", async () => {
    const mock = await startMock(pki, ['-srv_cert', pki.srvCertPath, '-srv_key', pki.srvKeyPath, '-srv_trusted', stranger.caCertPath, '-rsp_cert', cert2])
    try {
      const e = await errorOf(renewCertificate({
        profile: localMockProfile({ url: mock.url, caCertPem: pki.caCertPem }),
        current,
        password: { keep: 'Dojang!7q9w2' },
        deps: { generateKeyPair: () => key2 },
      }))
      // OpenSSL's mock answers badRequest "no suitable sender cert" (signed, so verified)
      expect(e.code).toBe('CA_REJECTED')
      expect(e.details).toMatchObject({ operation: 'kur', verified: true, failInfo: 'badRequest', statusText: 'no suitable sender cert' })
    } finally {
      await mock.stop()
    }
  })
})

describe('input checks come before any traffic', () => {
  let profile: ReturnType<typeof localMockProfile>
  beforeAll(async () => {
    profile = localMockProfile({ url: `http://127.0.0.1:${await closedPort()}/pkix/`, caCertPem: pki.caCertPem })
  })
  const issue = (over: Partial<{ referenceNumber: string; authCode: string; newPassword: string; signal: AbortSignal }>) =>
    issueCertificate({
      profile,
      referenceNumber: over.referenceNumber ?? '12345678',
      authCode: over.authCode ?? 'ABCD-EFGH-1234',
      newPassword: over.newPassword ?? 'Dojang!7q9w2',
      ctx: over.signal ? { signal: over.signal } : undefined,
      deps: { generateKeyPair: () => key2 },
    })

  it('weak new password, empty or odd codes, cancelled before start', async () => {
    expect(await codeOf(issue({ newPassword: 'password1' }))).toBe('WEAK_PASSWORD')
    expect(await codeOf(issue({ referenceNumber: '  ' }))).toBe('INVALID_INPUT')
    expect(await codeOf(issue({ authCode: 'AB CD' }))).toBe('INVALID_INPUT')
    const ac = new AbortController()
    ac.abort()
    expect(await codeOf(issue({ signal: ac.signal }))).toBe('CANCELLED')
    // and with everything right, the closed port is what fails
    expect(await codeOf(issue({}))).toBe('CA_UNREACHABLE')
  })

  it('renew checks a new password; revoke checks the reason and the certificate', async () => {
    expect(await codeOf(renewCertificate({ profile, current, password: { new: 'aaa111!!!' } }))).toBe('WEAK_PASSWORD')
    expect(await codeOf(renewCertificate({ profile, current: { ...current, certDer: new Uint8Array(3) }, password: { keep: 'x' } }))).toBe('CORRUPT_FILE')
    expect(await codeOf(revokeCertificate({ profile, certDer: current.certDer, auth: { kind: 'key', pkcs8: current.pkcs8 }, reason: 'bogus' as CrlReason }))).toBe('INVALID_INPUT')
    expect(await codeOf(revokeCertificate({ profile, certDer: current.certDer, auth: { kind: 'codes', referenceNumber: '', authCode: 'x' }, reason: 'keyCompromise' }))).toBe('INVALID_INPUT')
  })
})
