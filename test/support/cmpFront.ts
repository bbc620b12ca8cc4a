/**
 * A test CA for front ends that generate their own key (the built CLI, the app's screens), in front of OpenSSL's
 * `openssl cmp` mock. The mock answers every request with one fixed certificate per run, so this front reads each
 * new transaction's request (ir/kur: the public key in the template; rr), has the test CA issue the matching
 * certificate, starts a mock for that transaction and forwards every message of it, byte for byte, over one
 * kept-alive connection. The mock still checks everything it checks (PBM with the 참조번호/인가코드, signatures,
 * POP, nonces, certConf hash, oldCertID); the front only chooses what -rsp_cert is. Loopback only.
 */
import { createPublicKey, X509Certificate } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { children, type Tlv } from '../../main/core/asn1/der'
import { BODY, decodeMessage } from '../../main/core/issuance/messages'
import { EE_DN, pbmServerArgs, signedServerArgs, startMock, type MockServer, type TestPki } from './cmpServer'
import { openssl } from './openssl'

export interface CaFront {
  url: string
  /** PEM paths of the certificates issued so far, in order. */
  issued: string[]
  /** Bodies of the requests that started a transaction ('ir', 'kur', 'rr'). */
  requests: string[]
  /** certConf messages that accepted the certificate (no statusInfo), and those that rejected it. */
  confirmations: { accepted: number; rejected: number }
  stop(): Promise<void>
}

/** The SubjectPublicKeyInfo in the first CertReqMsg's template ([6] IMPLICIT). */
function templateSpki(content: Tlv): Uint8Array {
  const certReqMsg = children(content)[0]!
  const certRequest = children(certReqMsg)[0]!
  const template = children(certRequest)[1]!
  const pk = children(template).find((c) => c.tag === 0xa6)
  if (!pk) throw new Error('no publicKey in the certificate template')
  const out = Buffer.concat([Buffer.from([0x30]), encodeLength(pk.value.length), Buffer.from(pk.value)])
  return new Uint8Array(out)
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

export async function startCaFront(pki: TestPki, opts: { ref: string; auth: string; days?: number }): Promise<CaFront> {
  const issued: string[] = []
  const requests: string[] = []
  const confirmations = { accepted: 0, rejected: 0 }
  const live = new Map<string, { mock: MockServer; agent: http.Agent }>()
  const mocks: MockServer[] = []
  let n = 0

  const issueFor = (spki: Uint8Array, serialHex?: string): string => {
    const id = `front-${n++}`
    const pub = join(pki.dir, `${id}.pub.pem`)
    writeFileSync(pub, createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }))
    // Any CSR will do: -force_pubkey puts the client's public key into the certificate.
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(pki.dir, `${id}.tmp.key`), '-out', join(pki.dir, `${id}.csr`), '-subj', EE_DN, '-utf8'])
    const serial = serialHex ? ['-set_serial', `0x${serialHex}`] : ['-CAcreateserial']
    const pem = join(pki.dir, `${id}.pem`)
    openssl(['x509', '-req', '-in', join(pki.dir, `${id}.csr`), '-force_pubkey', pub, '-CA', pki.caCertPath, '-CAkey', pki.caKeyPath, ...serial, '-days', String(opts.days ?? 20), '-extfile', join(pki.dir, 'ee.ext'), '-out', pem])
    issued.push(pem)
    return pem
  }

  const begin = async (bodyTag: number, content: Tlv): Promise<MockServer> => {
    const last = issued.at(-1)
    let args: string[]
    if (bodyTag === BODY.ir) {
      requests.push('ir')
      args = [...pbmServerArgs(opts.ref, opts.auth), '-rsp_cert', issueFor(templateSpki(content)), '-rsp_capubs', pki.caCertPath]
    } else if (bodyTag === BODY.kur) {
      requests.push('kur')
      if (!last) throw new Error('kur before any certificate was issued')
      const serial = new X509Certificate(readFileSync(last)).serialNumber
      args = [...signedServerArgs(pki), '-rsp_cert', issueFor(templateSpki(content), serial)]
    } else {
      requests.push('rr')
      if (!last) throw new Error('rr before any certificate was issued')
      args = [...signedServerArgs(pki), ...pbmServerArgs(opts.ref, opts.auth), '-rsp_cert', last]
    }
    const mock = await startMock(pki, args)
    mocks.push(mock)
    return mock
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks)
        const msg = decodeMessage(new Uint8Array(body))
        const txid = Buffer.from(msg.header.transactionID ?? new Uint8Array()).toString('hex')
        if (msg.bodyTag === BODY.certConf) {
          // CertStatus ::= SEQUENCE { certHash, certReqId, statusInfo OPTIONAL }: a statusInfo means "rejected".
          const status = children(msg.content)[0]
          if (status && children(status).length > 2) confirmations.rejected++
          else confirmations.accepted++
        }
        let t = live.get(txid)
        if (!t) {
          const mock = await begin(msg.bodyTag, msg.content)
          t = { mock, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) }
          live.set(txid, t)
        }
        const up = http.request(t.mock.url, { method: 'POST', agent: t.agent, headers: { 'content-type': 'application/pkixcmp', 'content-length': body.length } }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/pkixcmp' })
          answer.pipe(res)
        })
        up.on('error', () => res.destroy())
        up.end(body)
      })().catch(() => res.destroy())
    })
  })
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
  return {
    url: `http://127.0.0.1:${port}/pkix/`,
    issued,
    requests,
    confirmations,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections?.()
      for (const t of live.values()) t.agent.destroy()
      await Promise.all(mocks.map((m) => m.stop()))
    },
  }
}
