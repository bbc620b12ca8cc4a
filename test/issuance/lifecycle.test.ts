/**
 * The whole life of a certificate against OpenSSL's CMP mock server: issue (ir, PBM) → the stored pair decrypts
 * with its password and matches → renew (kur, signed) → revoke (rr signed, and rr with fresh codes), plus CA
 * polling. The mock is the oracle for what it checks (PBM, signatures, POP, nonces, certConf hash, oldCertID);
 * the rest is asserted on the messages Dojang sent.
 */
import { readFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decryptPrivateKey } from '../../main/core/npki/privateKey'
import { issueCertificate, localMockProfile, renewCertificate, revokeCertificate } from '../../main/core/issuance'
import { children, readTlv } from '../../main/core/asn1/der'
import { BODY, decodeMessage } from '../../main/core/issuance/messages'
import { describePbm } from '../../main/core/issuance/protection'
import type { OperationProgress } from '../../main/core/app/operation'
import { codeOf } from '../support/errors'
import { createTestPki, newRsaKey, pbmServerArgs, signedServerArgs, startMock, type TestPki } from '../support/cmpServer'

const REF = '12345678'
const AUTH = 'ABCD-EFGH-1234'
const PASSWORD = 'Dojang!7q9w2'

let pki: TestPki
beforeAll(() => {
  pki = createTestPki()
})
afterAll(() => pki?.cleanup())

const der = (pemPath: string) => new Uint8Array(new X509Certificate(readFileSync(pemPath)).raw)
const fileOf = (b: { files: { name: string; data: Uint8Array }[] }, name: string) => b.files.find((f) => f.name === name)!.data
const certModulus = (certDer: Uint8Array) => {
  const jwk = new X509Certificate(Buffer.from(certDer)).publicKey.export({ format: 'jwk' })
  return new Uint8Array(Buffer.from(jwk.n!, 'base64url'))
}

describe('CMP life of a certificate against openssl cmp', () => {
  it('issues, stores a pair that opens with its password, renews, and revokes', async () => {
    const profile = (url: string) => localMockProfile({ url, caCertPem: pki.caCertPem })

    // ---- issue: ir with PBM ----
    const key1 = newRsaKey()
    const cert1 = pki.issue('cert1', key1.privateKey)
    const irMock = await startMock(pki, [...pbmServerArgs(REF, AUTH), '-rsp_cert', cert1, '-rsp_capubs', pki.caCertPath])
    const sent: Uint8Array[] = []
    const steps: string[] = []
    let issued
    try {
      issued = await issueCertificate({
        profile: profile(irMock.url),
        referenceNumber: REF,
        authCode: AUTH,
        newPassword: PASSWORD,
        ctx: { progress: (p: OperationProgress) => steps.push(p.step) },
        deps: { generateKeyPair: () => key1, tap: (dir, m) => dir === 'request' && sent.push(m) },
      })
    } finally {
      await irMock.stop()
    }
    // The key file is made (and kept by the caller) before the CA hears "accepted".
    expect(steps).toEqual(['generate-key', 'contact-ca', 'check-certificate', 'encrypt-key', 'confirm'])
    const log = irMock.log()
    expect(log).toContain('successfully validated PBM-based CMP message protection')
    expect(log).toMatch(/sending IP/i)
    expect(log).toMatch(/sending PKICONF/i)

    // What we sent: ir then certConf, PBM keyed by the reference number, one transaction, fresh nonces.
    const [ir, conf] = sent.map(decodeMessage)
    expect(ir!.bodyTag).toBe(BODY.ir)
    expect(conf!.bodyTag).toBe(BODY.certConf)
    expect(new TextDecoder().decode(ir!.header.senderKID)).toBe(REF)
    expect(describePbm(ir!.header.protectionAlg!)).toEqual({ owf: 'sha256', mac: 'hmac-sha1', iterations: 500, saltLength: 16 })
    expect(ir!.header.transactionID).toHaveLength(16)
    expect(conf!.header.transactionID).toEqual(ir!.header.transactionID)
    expect(conf!.header.senderNonce).not.toEqual(ir!.header.senderNonce)
    expect(conf!.header.recipNonce).toBeDefined()
    for (const m of sent) expect(Buffer.from(m).includes(Buffer.from(AUTH))).toBe(false)

    // The pair: the CA's certificate and an NPKI key file that opens with the new password and matches it.
    expect(issued.bundle.files.map((f) => f.name)).toEqual(['signCert.der', 'signPri.key'])
    const signCert = fileOf(issued.bundle, 'signCert.der')
    expect(signCert).toEqual(der(cert1))
    const opened = decryptPrivateKey(fileOf(issued.bundle, 'signPri.key'), PASSWORD, { publicKey: { modulus: certModulus(signCert) } })
    expect(opened.file.scheme).toMatchObject({ kind: 'npki-pbkdf1-seed', iterations: 2048 })
    expect(opened.info.randomNum).toHaveLength(20)
    expect(await codeOf(Promise.resolve().then(() => decryptPrivateKey(fileOf(issued.bundle, 'signPri.key'), 'Wrong!pass99')))).toBe('WRONG_PASSWORD')
    expect(issued.certificate.subject).toContain('홍길동')
    expect(issued.caPubs).toHaveLength(1)

    // ---- renew: kur signed by the current key; the mock wants the old serial on the new certificate ----
    const key2 = newRsaKey()
    const serial = new X509Certificate(readFileSync(cert1)).serialNumber
    const cert2 = pki.issue('cert2', key2.privateKey, { serialHex: serial })
    const kurMock = await startMock(pki, [...signedServerArgs(pki), '-rsp_cert', cert2])
    const kurSent: Uint8Array[] = []
    let renewed
    try {
      renewed = await renewCertificate({
        profile: profile(kurMock.url),
        current: { certDer: signCert, pkcs8: opened.pkcs8 },
        password: { keep: PASSWORD },
        deps: { generateKeyPair: () => key2, tap: (dir, m) => dir === 'request' && kurSent.push(m) },
      })
    } finally {
      await kurMock.stop()
    }
    expect(kurMock.log()).toMatch(/sending KUP/i)
    expect(kurMock.log()).toMatch(/sending PKICONF/i)
    const kur = decodeMessage(kurSent[0]!)
    expect(kur.bodyTag).toBe(BODY.kur)
    expect(kur.extraCerts[0]).toEqual(signCert)
    // oldCertID control present in the request (controls = third field of CertRequest)
    const certReq = children(children(children(kur.content)[0]!)[0]!)
    expect(certReq).toHaveLength(3)
    expect(readTlv(certReq[2]!.bytes).tag).toBe(0x30)

    const newCert = fileOf(renewed.bundle, 'signCert.der')
    expect(newCert).toEqual(der(cert2))
    const reopened = decryptPrivateKey(fileOf(renewed.bundle, 'signPri.key'), PASSWORD, { publicKey: { modulus: certModulus(newCert) } })
    expect(reopened.info.randomNum).toEqual(opened.info.randomNum)

    // ---- revoke: signed by the key of the certificate, then with fresh codes (lost key) ----
    const rrMock = await startMock(pki, [...signedServerArgs(pki), ...pbmServerArgs(REF, AUTH), '-rsp_cert', cert2])
    try {
      const signed = await revokeCertificate({
        profile: profile(rrMock.url),
        certDer: newCert,
        auth: { kind: 'key', pkcs8: reopened.pkcs8 },
        reason: 'superseded',
      })
      expect(signed.status).toBe(0)
      const withCodes = await revokeCertificate({
        profile: profile(rrMock.url),
        certDer: newCert,
        auth: { kind: 'codes', referenceNumber: REF, authCode: AUTH },
        reason: 'keyCompromise',
      })
      expect(withCodes.status).toBe(0)
    } finally {
      await rrMock.stop()
    }
    expect(rrMock.log().match(/sending RP/gi)).toHaveLength(2)
  })

  it('polls while the CA says "waiting" and then gets the certificate', async () => {
    const key = newRsaKey()
    const cert = pki.issue('poll', key.privateKey)
    const mock = await startMock(pki, [...pbmServerArgs(REF, AUTH), '-rsp_cert', cert, '-poll_count', '2', '-check_after', '0'])
    const steps: string[] = []
    const sent: number[] = []
    try {
      const issued = await issueCertificate({
        profile: localMockProfile({ url: mock.url, caCertPem: pki.caCertPem }),
        referenceNumber: REF,
        authCode: AUTH,
        newPassword: PASSWORD,
        ctx: { progress: (p) => steps.push(p.step) },
        deps: { generateKeyPair: () => key, tap: (dir, m) => dir === 'request' && sent.push(decodeMessage(m).bodyTag) },
      })
      expect(fileOf(issued.bundle, 'signCert.der')).toEqual(der(cert))
    } finally {
      await mock.stop()
    }
    expect(sent[0]).toBe(BODY.ir)
    expect(sent.filter((t) => t === BODY.pollReq).length).toBeGreaterThanOrEqual(1)
    expect(sent.at(-1)).toBe(BODY.certConf)
    expect(steps).toContain('waiting')
  })
})
