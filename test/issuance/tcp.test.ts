/**
 * The TCP transport end to end: Dojang speaks RFC 2510 framing or raw DER to a relay on 127.0.0.1, which forwards
 * to the OpenSSL mock over HTTP (cmp.md §10.5). Also TCP-level polling, errorMsgRep, timeouts and refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueCertificate, localMockProfile } from '../../main/core/issuance'
import { takeFrame } from '../../main/core/issuance/transport/tcp'
import { codeOfSync, errorOf } from '../support/errors'
import {
  closedPort, createTestPki, newRsaKey, pbmServerArgs, silentServer, startMock, startTcpRelay, type MockServer, type TestPki,
} from '../support/cmpServer'

const REF = '12345678'
const AUTH = 'ABCD-EFGH-1234'
const PASSWORD = 'Dojang!7q9w2'

let pki: TestPki
let key: ReturnType<typeof newRsaKey>
let mock: MockServer

beforeAll(async () => {
  pki = createTestPki()
  key = newRsaKey()
  mock = await startMock(pki, [...pbmServerArgs(REF, AUTH), '-rsp_cert', pki.issue('ee', key.privateKey)])
})
afterAll(async () => {
  await mock?.stop()
  pki?.cleanup()
})

const issueOverTcp = (port: number, framing: 'rfc2510' | 'raw-der', timeoutSeconds = 20) =>
  issueCertificate({
    profile: localMockProfile({ tcp: { port, framing }, caCertPem: pki.caCertPem, timeoutSeconds }),
    referenceNumber: REF,
    authCode: AUTH,
    newPassword: PASSWORD,
    deps: { generateKeyPair: () => key },
  })

describe('CMP over TCP', () => {
  for (const framing of ['rfc2510', 'raw-der'] as const) {
    it(`issues through a ${framing} relay`, async () => {
      const relay = await startTcpRelay(mock.url, framing)
      try {
        const r = await issueOverTcp(relay.port, framing)
        expect(r.bundle.files.map((f) => f.name)).toEqual(['signCert.der', 'signPri.key'])
      } finally {
        await relay.stop()
      }
    })
  }

  it('answers an RFC 2510 pollRep with pollReq and takes the finalMsgRep', async () => {
    const relay = await startTcpRelay(mock.url, 'rfc2510', { pollFirst: true })
    try {
      const r = await issueOverTcp(relay.port, 'rfc2510')
      expect(r.bundle.files).toHaveLength(2)
    } finally {
      await relay.stop()
    }
  })

  it("confirms with CMPv1's conf (no reply awaited) when the profile says so", async () => {
    const relay = await startTcpRelay(mock.url, 'rfc2510')
    try {
      const before = (mock.log().match(/received PKICONF/gi) ?? []).length
      const r = await issueCertificate({
        profile: { ...localMockProfile({ tcp: { port: relay.port }, caCertPem: pki.caCertPem }), confirm: 'cmp1999-conf' },
        referenceNumber: REF,
        authCode: AUTH,
        newPassword: PASSWORD,
        deps: { generateKeyPair: () => key },
      })
      expect(r.bundle.files).toHaveLength(2)
      // OpenSSL parses our conf ([19] NULL) as a pkiconf body; it has no CMPv1 state machine to accept it.
      await expect.poll(() => (mock.log().match(/received PKICONF/gi) ?? []).length).toBe(before + 1)
    } finally {
      await relay.stop()
    }
  })

  it('reports an errorMsgRep as CA_BAD_RESPONSE with its text', async () => {
    const relay = await startTcpRelay(mock.url, 'rfc2510', { errorText: 'server overloaded' })
    try {
      const e = await errorOf(issueOverTcp(relay.port, 'rfc2510'))
      expect(e.code).toBe('CA_BAD_RESPONSE')
      expect(e.details).toMatchObject({ reason: 'tcp-error', text: 'server overloaded' })
    } finally {
      await relay.stop()
    }
  })

  it('the wrong framing setting gives a clear error, not a hang', async () => {
    const relay = await startTcpRelay(mock.url, 'rfc2510')
    try {
      // raw DER towards an RFC 2510 peer: the relay reads our 0x30 as a huge length and waits; we time out.
      const e = await errorOf(issueOverTcp(relay.port, 'raw-der', 1))
      expect(e.code).toBe('CA_UNREACHABLE')
      expect(e.details.reason).toBe('timeout')
    } finally {
      await relay.stop()
    }
  })

  it('connection refused and silence are CA_UNREACHABLE', async () => {
    const refused = await errorOf(issueOverTcp(await closedPort(), 'rfc2510'))
    expect(refused.details.reason).toBe('refused')
    const s = await silentServer()
    try {
      const e = await errorOf(issueOverTcp(s.port, 'rfc2510', 1))
      expect(e.code).toBe('CA_UNREACHABLE')
      expect(e.details.reason).toBe('timeout')
    } finally {
      await s.stop()
    }
  })

  it('cancelling while the CA is silent: CANCELLED', async () => {
    const s = await silentServer()
    try {
      const ac = new AbortController()
      const p = issueCertificate({
        profile: localMockProfile({ tcp: { port: s.port }, caCertPem: pki.caCertPem, timeoutSeconds: 60 }),
        referenceNumber: REF,
        authCode: AUTH,
        newPassword: PASSWORD,
        ctx: { signal: ac.signal },
        deps: { generateKeyPair: () => key },
      })
      setTimeout(() => ac.abort(), 200)
      expect((await errorOf(p)).code).toBe('CANCELLED')
    } finally {
      await s.stop()
    }
  })

  it('frame parser: partial input waits, impossible lengths and non-DER are refused', () => {
    const msg = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05)
    const framed = Uint8Array.of(0, 0, 0, 6, 0, ...msg)
    expect(takeFrame(framed.subarray(0, 7), 'rfc2510', 1 << 20)).toBeUndefined()
    expect(takeFrame(framed, 'rfc2510', 1 << 20)).toEqual({ frame: { flag: 0, value: msg }, used: 10 })
    expect(takeFrame(msg.subarray(0, 3), 'raw-der', 1 << 20)).toBeUndefined()
    expect(takeFrame(msg, 'raw-der', 1 << 20)?.used).toBe(5)
    expect(codeOfSync(() => takeFrame(Uint8Array.of(0x7f, 0, 0, 0, 0), 'rfc2510', 1 << 20))).toBe('CA_BAD_RESPONSE')
    expect(codeOfSync(() => takeFrame(Uint8Array.of(0, 0, 0, 0, 0), 'rfc2510', 1 << 20))).toBe('CA_BAD_RESPONSE')
    expect(codeOfSync(() => takeFrame(Uint8Array.of(0x02, 0x01, 0x00), 'raw-der', 1 << 20))).toBe('CA_BAD_RESPONSE')
  })
})
