/**
 * Every way a CA exchange can go wrong ends in its typed error and returns no bundle: wrong 인가코드, a CA that
 * refuses (error message or rejection status), tampered, re-addressed, replayed or unprotected answers, a
 * certificate for another key or from another CA, a CA that does not answer, and cancellation.
 * Answers are altered by a wrapper around the real HTTP transport; re-protected answers use the test's own
 * knowledge of the secret, so only the check under test can catch them.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueCertificate, localMockProfile, type CaProfile, type CmpTransport } from '../../main/core/issuance'
import { BODY, decodeMessage, encodeHeader, encodeMessage, protectedPart, type PkiHeader } from '../../main/core/issuance/messages'
import { computePbm, DEFAULT_PBM, pbmAlgorithm } from '../../main/core/issuance/protection'
import { HttpTransport } from '../../main/core/issuance/transport/http'
import { errorOf } from '../support/errors'
import {
  closedPort, createTestPki, newRsaKey, pbmServerArgs, silentServer, startMock, type MockServer, type TestPki,
} from '../support/cmpServer'

const REF = '12345678'
const AUTH = 'ABCD-EFGH-1234'
const PASSWORD = 'Dojang!7q9w2'

let pki: TestPki
let key: ReturnType<typeof newRsaKey>
let certPath: string
let mock: MockServer

beforeAll(async () => {
  pki = createTestPki()
  key = newRsaKey()
  certPath = pki.issue('ee', key.privateKey)
  // One long-running mock serves every test that needs a well-behaved CA (each test is its own transaction).
  mock = await startMock(pki, [...pbmServerArgs(REF, AUTH), '-rsp_cert', certPath])
})
afterAll(async () => {
  await mock?.stop()
  pki?.cleanup()
})

const profileFor = (url: string, extra: Partial<{ caCertPem: string; timeoutSeconds: number }> = {}): CaProfile =>
  localMockProfile({ url, caCertPem: extra.caCertPem ?? pki.caCertPem, timeoutSeconds: extra.timeoutSeconds })

/** The real transport with the answer passed through `alter` (the request is sent unchanged). */
function altered(url: string, alter: (answer: Uint8Array, index: number) => Uint8Array): CmpTransport {
  const inner = new HttpTransport(url)
  let i = 0
  return {
    endpoint: inner.endpoint,
    send: async (req, opts) => alter(await inner.send(req, opts), i++),
    close: () => inner.close(),
  }
}

/** Re-encodes an answer with a changed header and a valid PBM under the real secret. */
function reprotect(answer: Uint8Array, change: (h: PkiHeader) => void): Uint8Array {
  const m = decodeMessage(answer)
  const header = { ...m.header }
  change(header)
  const headerDer = encodeHeader(header)
  const mac = computePbm(new TextEncoder().encode(AUTH), header.protectionAlg!, protectedPart(headerDer, m.bodyBytes))
  return encodeMessage(headerDer, m.bodyBytes, mac, m.extraCerts)
}

/** Issues with the test key; a transport passed in is the test's to close (the mock waits on an open one). */
async function issue(profile: CaProfile, over: Partial<{ authCode: string; transport: CmpTransport; signal: AbortSignal; key: ReturnType<typeof newRsaKey> }> = {}) {
  try {
    return await issueOnce(profile, over)
  } finally {
    over.transport?.close()
  }
}

function issueOnce(profile: CaProfile, over: Partial<{ authCode: string; transport: CmpTransport; signal: AbortSignal; key: ReturnType<typeof newRsaKey> }>) {
  return issueCertificate({
    profile,
    referenceNumber: REF,
    authCode: over.authCode ?? AUTH,
    newPassword: PASSWORD,
    ctx: over.signal ? { signal: over.signal } : undefined,
    deps: { generateKeyPair: () => over.key ?? key, transport: over.transport },
  })
}

describe('CMP answers that must be refused', () => {
  it('sanity: the same setup issues when nothing is wrong', async () => {
    const r = await issue(profileFor(mock.url))
    expect(r.bundle.files).toHaveLength(2)
  })

  it('wrong 인가코드: CA_AUTH_FAILED, and the error says nothing of the code', async () => {
    const e = await errorOf(issue(profileFor(mock.url), { authCode: 'WRONG-CODE-9999' }))
    expect(e.code).toBe('CA_AUTH_FAILED')
    expect(JSON.stringify(e.details) + e.message).not.toContain('WRONG-CODE-9999')
    expect(mock.log()).toMatch(/wrong pbm value|error validating protection/i)
  })

  it('a tampered answer (one byte of the header changed): CA_BAD_RESPONSE bad-protection', async () => {
    const t = altered(mock.url, (a) => {
      const m = decodeMessage(a)
      const at = m.header.senderNonce!.byteOffset - a.byteOffset
      const copy = a.slice()
      copy[at]! ^= 0x01
      return copy
    })
    const e = await errorOf(issue(profileFor(mock.url), { transport: t }))
    expect(e.code).toBe('CA_BAD_RESPONSE')
    expect(e.details.reason).toBe('bad-protection')
  })

  it('a wrong recipNonce, even correctly protected: CA_BAD_RESPONSE recip-nonce', async () => {
    const t = altered(mock.url, (a) => reprotect(a, (h) => (h.recipNonce = new Uint8Array(16).fill(7))))
    const e = await errorOf(issue(profileFor(mock.url), { transport: t }))
    expect(e.code).toBe('CA_BAD_RESPONSE')
    expect(e.details.reason).toBe('recip-nonce')
  })

  it('a wrong transactionID, even correctly protected: CA_BAD_RESPONSE transaction-id', async () => {
    const t = altered(mock.url, (a) => reprotect(a, (h) => (h.transactionID = new Uint8Array(16).fill(9))))
    const e = await errorOf(issue(profileFor(mock.url), { transport: t }))
    expect(e.code).toBe('CA_BAD_RESPONSE')
    expect(e.details.reason).toBe('transaction-id')
  })

  it('an answer replayed from an earlier transaction: CA_BAD_RESPONSE', async () => {
    let saved: Uint8Array | undefined
    await issue(profileFor(mock.url), { transport: altered(mock.url, (a, i) => ((saved ??= i === 0 ? a : undefined), a)) })
    expect(saved).toBeDefined()
    const e = await errorOf(issue(profileFor(mock.url), { transport: altered(mock.url, () => saved!) }))
    expect(e.code).toBe('CA_BAD_RESPONSE')
    expect(e.details.reason).toBe('transaction-id')
  })

  it('an unprotected answer: CA_BAD_RESPONSE unprotected', async () => {
    const t = altered(mock.url, (a) => {
      const m = decodeMessage(a)
      const header = { ...m.header, protectionAlg: undefined }
      return encodeMessage(encodeHeader(header), m.bodyBytes)
    })
    const e = await errorOf(issue(profileFor(mock.url), { transport: t }))
    expect(e.code).toBe('CA_BAD_RESPONSE')
    expect(e.details.reason).toBe('unprotected')
  })

  it('PBM parameters that would stall us (a million iterations): CA_BAD_RESPONSE unsupported-protection', async () => {
    const t = altered(mock.url, (a) => {
      const m = decodeMessage(a)
      const header = { ...m.header, protectionAlg: pbmAlgorithm({ ...DEFAULT_PBM, iterations: 1_000_000 }, new Uint8Array(16)) }
      return encodeMessage(encodeHeader(header), m.bodyBytes, m.protection, m.extraCerts)
    })
    const e = await errorOf(issue(profileFor(mock.url), { transport: t }))
    expect(e.code).toBe('CA_BAD_RESPONSE')
    expect(e.details.reason).toBe('unsupported-protection')
  })

  it('garbage instead of CMP: CA_BAD_RESPONSE malformed', async () => {
    const t = altered(mock.url, (a) => a.subarray(0, a.length - 7))
    const e = await errorOf(issue(profileFor(mock.url), { transport: t }))
    expect(e.code).toBe('CA_BAD_RESPONSE')
    expect(e.details.reason).toBe('malformed')
  })

  it('a certificate for another key: CA_BAD_RESPONSE publicKeyMismatch, and the CA hears a negative certConf', async () => {
    const other = newRsaKey()
    const confs = () => (mock.log().match(/received CERTCONF/gi) ?? []).length
    const before = confs()
    const e = await errorOf(issue(profileFor(mock.url), { key: other }))
    expect(e.code).toBe('CA_BAD_RESPONSE')
    expect(e.details.reason).toBe('publicKeyMismatch')
    expect(confs()).toBe(before + 1)
    expect(mock.log()).toMatch(/certificate rejected by client/)
  })

  it("a certificate that does not chain to the profile's CA: CA_BAD_RESPONSE untrustedIssuer", async () => {
    const stranger = createTestPki({ caDn: '/C=KR/O=Elsewhere/CN=Other Root' })
    try {
      const e = await errorOf(issue(profileFor(mock.url, { caCertPem: stranger.caCertPem })))
      expect(e.code).toBe('CA_BAD_RESPONSE')
      expect(e.details.reason).toBe('untrustedIssuer')
    } finally {
      stranger.cleanup()
    }
  })
})

describe('CAs that refuse', () => {
  it('an error message from the CA: CA_REJECTED with what the CA said', async () => {
    const m = await startMock(pki, [...pbmServerArgs(REF, AUTH), '-rsp_cert', certPath, '-send_error'])
    try {
      const e = await errorOf(issue(profileFor(m.url)))
      expect(e.code).toBe('CA_REJECTED')
      expect(e.details.verified).toBe(true)
    } finally {
      await m.stop()
    }
  })

  it('a rejection status with failure info: CA_REJECTED badPOP, or CA_AUTH_FAILED for badMessageCheck', async () => {
    const m = await startMock(pki, [...pbmServerArgs(REF, AUTH), '-rsp_cert', certPath, '-pkistatus', '2', '-failure', '9', '-statusstring', 'bad proof'])
    try {
      const e = await errorOf(issue(profileFor(m.url)))
      expect(e.code).toBe('CA_REJECTED')
      expect(e.details.failInfo).toBe('badPOP')
      expect(e.details.statusText).toBe('bad proof')
      expect(e.details.hint).toBe('requestNotUnderstood')
    } finally {
      await m.stop()
    }
    const m2 = await startMock(pki, [...pbmServerArgs(REF, AUTH), '-rsp_cert', certPath, '-pkistatus', '2', '-failure', '1'])
    try {
      expect((await errorOf(issue(profileFor(m2.url)))).code).toBe('CA_AUTH_FAILED')
    } finally {
      await m2.stop()
    }
  })
})

describe('CAs that do not answer', () => {
  it('connection refused: CA_UNREACHABLE refused', async () => {
    const port = await closedPort()
    const e = await errorOf(issue(profileFor(`http://127.0.0.1:${port}/pkix/`)))
    expect(e.code).toBe('CA_UNREACHABLE')
    expect(e.details.reason).toBe('refused')
  })

  it('a CA that accepts and never answers: CA_UNREACHABLE timeout', async () => {
    const s = await silentServer()
    try {
      const e = await errorOf(issue(profileFor(`http://127.0.0.1:${s.port}/pkix/`, { timeoutSeconds: 1 })))
      expect(e.code).toBe('CA_UNREACHABLE')
      expect(e.details.reason).toBe('timeout')
    } finally {
      await s.stop()
    }
  })

  it('an HTTP server that is not a CMP server: CA_UNREACHABLE http-status / not-cmp; an endless answer: CA_BAD_RESPONSE too-large', async () => {
    const server = http.createServer((req, res) => {
      req.resume()
      if (req.url === '/404') return void res.writeHead(404).end('no')
      if (req.url === '/html') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>')
      res.writeHead(200, { 'Content-Type': 'application/pkixcmp' })
      const chunk = Buffer.alloc(64 * 1024, 0x30)
      let sent = 0
      const more = () => {
        while (sent < 40 && res.write(chunk)) sent++
        if (sent < 40) res.once('drain', more)
        else res.end()
      }
      more()
    })
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
    try {
      const status = await errorOf(issue(profileFor(`http://127.0.0.1:${port}/404`)))
      expect(status.details).toMatchObject({ reason: 'http-status', httpStatus: 404 })
      const html = await errorOf(issue(profileFor(`http://127.0.0.1:${port}/html`)))
      expect(html.details).toMatchObject({ reason: 'not-cmp' })
      const big = await errorOf(issue(profileFor(`http://127.0.0.1:${port}/big`)))
      expect(big.code).toBe('CA_BAD_RESPONSE')
      expect(big.details.reason).toBe('too-large')
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it('a cancel before confirming stops (CANCELLED); a cancel once confirming has begun does not lose the certificate', async () => {
    const early = new AbortController()
    const e = await errorOf(issueCertificate({
      profile: profileFor(mock.url), referenceNumber: REF, authCode: AUTH, newPassword: PASSWORD,
      ctx: { signal: early.signal },
      deps: { generateKeyPair: () => key, tap: (dir) => dir === 'response' && early.abort() },
    }))
    expect(e.code).toBe('CANCELLED')

    const late = new AbortController()
    const r = await issueCertificate({
      profile: profileFor(mock.url), referenceNumber: REF, authCode: AUTH, newPassword: PASSWORD,
      ctx: { signal: late.signal },
      deps: { generateKeyPair: () => key, tap: (dir, m) => dir === 'request' && decodeMessage(m).bodyTag === BODY.certConf && late.abort() },
    })
    expect(late.signal.aborted).toBe(true)
    expect(r.bundle.files).toHaveLength(2)
  })

  it('cancelling while waiting for the CA: CANCELLED', async () => {
    const s = await silentServer()
    try {
      const ac = new AbortController()
      const p = issue(profileFor(`http://127.0.0.1:${s.port}/pkix/`, { timeoutSeconds: 60 }), { signal: ac.signal })
      setTimeout(() => ac.abort(), 200)
      expect((await errorOf(p)).code).toBe('CANCELLED')
    } finally {
      await s.stop()
    }
  })
})
