/**
 * The codec and PBM against OpenSSL's own messages (golden files from `openssl cmp -use_mock_srv -reqout/-rspout`),
 * strict decoding of damaged input (typed errors only, never a crash), encoders byte for byte, the mapping of
 * PKIStatus/failInfo to errors, and profile validation.
 */
import { createHash, createVerify, X509Certificate } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DojangError } from '../../common/errors'
import { DerError } from '../../main/core/asn1/der'
import { children, encodeDn, type Tlv } from '../../main/core/issuance/asn1'
import { encodeCertReqMsg } from '../../main/core/issuance/crmf'
import { certHash, certParts } from '../../main/core/issuance/certs'
import { CmpSession } from '../../main/core/issuance/client'
import { fromStatus } from '../../main/core/issuance/errors'
import {
  BODY, decodeCertRep, decodeMessage, decodeStatusInfo, encodeBody, encodeCmpV1Conf, encodeRevReq, encodeStatusInfo, protectedPart,
} from '../../main/core/issuance/messages'
import { parseCaProfile, profileCaCertificate } from '../../main/core/issuance/profiles'
import { DEFAULT_PBM, describePbm, pbmAlgorithm, UnsupportedProtection, verifyPbm } from '../../main/core/issuance/protection'
import { readTlv } from '../../main/core/issuance/asn1'
import { HttpTransport } from '../../main/core/issuance/transport/http'
import { codeOfSync } from '../support/errors'
import { CA_DN, createTestPki, EE_DN, newRsaKey, type TestPki } from '../support/cmpServer'
import { openssl } from '../support/openssl'

const REF = '12345678'
const AUTH = 'ABCD-EFGH-1234'
const enc = (s: string) => new TextEncoder().encode(s)

let pki: TestPki
let goldKey: ReturnType<typeof newRsaKey>
let goldSpki: Uint8Array
let gold: { ir: Uint8Array; certConf: Uint8Array; ip: Uint8Array; pkiConf: Uint8Array; cert: Uint8Array }

beforeAll(() => {
  pki = createTestPki()
  const key = newRsaKey()
  goldKey = key
  goldSpki = new Uint8Array(key.publicKey.export({ type: 'spki', format: 'der' }))
  const certPath = pki.issue('gold', key.privateKey)
  const keyPath = join(pki.dir, 'gold-key.pem')
  writeFileSync(keyPath, key.privateKey.export({ type: 'pkcs8', format: 'pem' }))
  const f = (n: string) => join(pki.dir, n)
  openssl(['cmp', '-config', '', '-use_mock_srv', '-cmd', 'ir', '-recipient', CA_DN, '-ref', REF, '-secret', `pass:${AUTH}`,
    '-srv_ref', REF, '-srv_secret', `pass:${AUTH}`, '-rsp_cert', certPath, '-newkey', keyPath, '-subject', EE_DN,
    '-certout', f('gold-cert.pem'), '-reqout', `${f('ir.der')},${f('certConf.der')}`, '-rspout', `${f('ip.der')},${f('pkiConf.der')}`])
  const rd = (n: string) => new Uint8Array(readFileSync(f(n)))
  gold = { ir: rd('ir.der'), certConf: rd('certConf.der'), ip: rd('ip.der'), pkiConf: rd('pkiConf.der'), cert: new Uint8Array(new X509Certificate(readFileSync(certPath)).raw) }
})
afterAll(() => pki?.cleanup())

describe("PBM interoperates with OpenSSL's", () => {
  it("verifies OpenSSL's ir, certConf, ip and pkiConf with the 인가코드, and not with another code", () => {
    for (const [name, bytes] of Object.entries({ ir: gold.ir, certConf: gold.certConf, ip: gold.ip, pkiConf: gold.pkiConf })) {
      const m = decodeMessage(bytes)
      const part = protectedPart(m.headerBytes, m.bodyBytes)
      expect(verifyPbm(enc(AUTH), m.header.protectionAlg!, part, m.protection!), name).toBe(true)
      expect(verifyPbm(enc('ABCD-EFGH-1235'), m.header.protectionAlg!, part, m.protection!), name).toBe(false)
    }
    const ir = decodeMessage(gold.ir)
    expect(ir.bodyTag).toBe(BODY.ir)
    expect(new TextDecoder().decode(ir.header.senderKID)).toBe(REF)
    expect(describePbm(ir.header.protectionAlg!)).toMatchObject({ owf: 'sha256', mac: 'hmac-sha1', iterations: 500 })
    expect(decodeMessage(gold.ip).bodyTag).toBe(BODY.ip)
    expect(decodeMessage(gold.certConf).bodyTag).toBe(BODY.certConf)
    expect(decodeMessage(gold.pkiConf).bodyTag).toBe(BODY.pkiconf)
  })

  it("reads OpenSSL's ip: the certificate, status accepted", () => {
    const rep = decodeCertRep(decodeMessage(gold.ip).content)
    expect(rep.responses[0]!.status.status).toBe(0)
    expect(rep.responses[0]!.certificate).toEqual(gold.cert)
  })

  it("computes the same certHash OpenSSL put into its certConf", () => {
    const content = decodeMessage(gold.certConf).content
    const hash = readTlv(readTlv(content.value).value) // CertConfirmContent → CertStatus → certHash
    expect(hash.value).toEqual(certHash(certParts(gold.cert)))
    expect(hash.value).toEqual(new Uint8Array(createHash('sha256').update(gold.cert).digest()))
  })

  it("builds the same CertReqMsg shape as OpenSSL: subject [5], publicKey [6], POPO [1] signed over DER(certReq)", () => {
    const theirs = children(children(decodeMessage(gold.ir).content)[0]!) // CertReqMessages → CertReqMsg
    const ours = children(readTlv(encodeCertReqMsg({ certReqId: 0, spki: goldSpki, subject: encodeDn(EE_DN) }, goldKey.privateKey, 'sha256')))
    for (const msg of [theirs, ours]) {
      const [certReq, popo] = msg as [Tlv, Tlv]
      const template = children(children(certReq)[1]!)
      const subject = template.find((t) => t.tag === 0xa5)!
      const publicKey = template.find((t) => t.tag === 0xa6)!
      expect(children(subject)[0]!.bytes).toEqual(encodeDn(EE_DN))
      expect(publicKey.value).toEqual(readTlv(goldSpki).value)
      expect(popo.tag).toBe(0xa1)
      const [alg, sig] = children(popo)
      expect(readTlv(alg!.bytes).value.subarray(2, 11)).toEqual(Uint8Array.from(Buffer.from('2a864886f70d01010b', 'hex'))) // sha256WithRSA
      const ok = createVerify('RSA-SHA256').update(certReq.bytes).verify(goldKey.publicKey, sig!.value.subarray(1))
      expect(ok).toBe(true)
    }
  })

  it('refuses PBM parameters that would make us hash for minutes', () => {
    const alg = pbmAlgorithm({ ...DEFAULT_PBM, iterations: 1_000_000 }, new Uint8Array(16))
    expect(() => verifyPbm(enc(AUTH), alg, new Uint8Array(4), new Uint8Array(20))).toThrow(UnsupportedProtection)
  })
})

describe('strict decoding', () => {
  const session = () =>
    new CmpSession({
      transport: new HttpTransport('http://127.0.0.1:1/'),
      protection: { kind: 'pbm', senderKID: enc(REF), secret: enc(AUTH), settings: DEFAULT_PBM },
      sender: encodeDn(''),
      recipient: encodeDn(CA_DN),
      caCert: profileCaCertificate(parseCaProfile({ name: 't', transport: 'http', url: 'http://127.0.0.1:1/', caCert: pki.caCertPem })),
      pvno: 2,
      operation: 'ir',
    })

  it('every truncation and byte flip of a real ip is a typed error, never a crash', () => {
    const s = session()
    const codes = new Set<string>()
    const tryOne = (bytes: Uint8Array) => {
      try {
        s.accept(bytes, [BODY.ip])
      } catch (e) {
        if (!(e instanceof DojangError)) throw e
        codes.add(e.code)
      }
      // The body decoder alone: a DerError or a result, nothing else.
      try {
        const m = decodeMessage(bytes)
        if (m.bodyTag === BODY.ip) decodeCertRep(m.content)
      } catch (e) {
        if (!(e instanceof DerError)) throw e
      }
    }
    for (let n = 0; n < gold.ip.length; n += 7) tryOne(gold.ip.subarray(0, n))
    let seed = 12345
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff)
    for (let i = 0; i < 400; i++) {
      const copy = gold.ip.slice()
      copy[rand() % copy.length]! ^= 1 << rand() % 8
      tryOne(copy)
    }
    tryOne(new Uint8Array(0))
    tryOne(new Uint8Array((1 << 20) + 1).fill(0x30))
    expect([...codes].every((c) => c === 'CA_BAD_RESPONSE' || c === 'CA_AUTH_FAILED' || c === 'CA_REJECTED')).toBe(true)
    expect(codes.has('CA_BAD_RESPONSE')).toBe(true)
  })

  it('an intact answer from another transaction is refused as such', () => {
    const e = (() => {
      try {
        session().accept(gold.ip, [BODY.ip])
      } catch (err) {
        return err as DojangError
      }
    })()
    expect(e?.code).toBe('CA_BAD_RESPONSE')
    expect(e?.details.reason).toBe('transaction-id')
  })
})

describe('encoders', () => {
  it('encodes a DN as OpenSSL does (C PrintableString, the rest UTF8String)', () => {
    expect(encodeDn(EE_DN)).toEqual(certParts(gold.cert).subject)
    expect(encodeDn('')).toEqual(Uint8Array.of(0x30, 0x00))
    expect(() => encodeDn('CN=no slash')).toThrow(RangeError)
  })

  it('encodes rr with serial [1], issuer [3] and the reason code extension', () => {
    const parts = certParts(gold.cert)
    const rr = encodeRevReq(parts.issuer, parts.serial, 1)
    const hex = Buffer.from(rr).toString('hex')
    expect(hex).toContain('0603551d15' + '0403' + '0a0101') // reasonCode: OCTET STRING { ENUMERATED 1 }
    const template = children(children(readTlv(rr))[0]!)[0]!
    const [serialT, issuerT] = children(template)
    expect(serialT!.tag).toBe(0x81) // [1] IMPLICIT INTEGER
    expect(serialT!.value).toEqual(readTlv(parts.serial).value)
    expect(issuerT!.tag).toBe(0xa3) // [3] explicit Name
    expect(children(issuerT!)[0]!.bytes).toEqual(parts.issuer)
  })

  it("encodes CMPv1's conf as [19] NULL", () => {
    expect(Buffer.from(encodeBody(BODY.pkiconf, encodeCmpV1Conf())).toString('hex')).toBe('b3020500')
  })

  it('round-trips PKIStatusInfo with failure bits', () => {
    const s = decodeStatusInfo(readTlv(encodeStatusInfo(2, 'no', [1, 9, 26])))
    expect(s).toEqual({ status: 2, statusString: ['no'], failInfo: ['badMessageCheck', 'badPOP', 'duplicateCertReq'] })
  })
})

describe('status to errors', () => {
  const st = (failInfo: string[], status = 2) => ({ status, statusString: ['x'], failInfo }) as Parameters<typeof fromStatus>[0]
  it('maps failure info to what a person can do', () => {
    expect(fromStatus(st(['badMessageCheck']), 'ir', { verified: true }).code).toBe('CA_AUTH_FAILED')
    expect(fromStatus(st(['signerNotTrusted']), 'kur', { verified: true }).code).toBe('CA_AUTH_FAILED')
    expect(fromStatus(st(['systemUnavail']), 'ir', { verified: true }).code).toBe('CA_BUSY')
    const r = fromStatus(st(['certRevoked']), 'kur', { verified: false })
    expect(r.code).toBe('CA_REJECTED')
    expect(r.details).toMatchObject({ hint: 'certificateRevoked', verified: false, statusText: 'x' })
    expect(fromStatus(st([]), 'rr', { verified: true }).code).toBe('CA_REJECTED')
  })
})

describe('CA profiles', () => {
  it('accepts an HTTP and a TCP profile with defaults, and names the bad field otherwise', () => {
    const http = parseCaProfile({ name: 'mock', transport: 'http', url: 'http://127.0.0.1:8080/pkix/', caCert: pki.caCertPem })
    expect(http).toMatchObject({ pvno: 2, confirm: 'certConf', pbm: DEFAULT_PBM, signatureHash: 'sha256', timeoutSeconds: 30 })
    const der64 = Buffer.from(new X509Certificate(pki.caCertPem).raw).toString('base64')
    const tcp = parseCaProfile({ name: 'kica', transport: 'tcp', host: 'ca.example', port: 4502, caCert: der64, pvno: 1, confirm: 'cmp1999-conf' })
    expect(tcp).toMatchObject({ framing: 'rfc2510', pvno: 1 })
    const bad = (p: unknown) => {
      try {
        parseCaProfile(p)
      } catch (e) {
        return (e as DojangError).details.field
      }
    }
    expect(bad({ name: 'x', transport: 'http', url: 'ftp://h/', caCert: pki.caCertPem })).toBe('url')
    expect(bad({ name: 'x', transport: 'http', url: 'http://h/', caCert: 'not a cert' })).toBe('caCert')
    expect(bad({ name: 'x', transport: 'tcp', host: 'h', port: 70000, caCert: pki.caCertPem })).toBe('port')
    expect(bad({ name: 'x', transport: 'tcp', host: 'h', port: 1, framing: 'tcp10', caCert: pki.caCertPem })).toBe('framing')
    expect(bad({ name: 'x', transport: 'http', url: 'http://h/', caCert: pki.caCertPem, pbm: { owf: 'sha256', mac: 'hmac-sha1', iterations: 10_000_000 } })).toBe('pbm.iterations')
    expect(codeOfSync(() => parseCaProfile({ name: 'x', transport: 'smtp' }))).toBe('INVALID_INPUT')
  })
})
