/**
 * CMP over HTTP (RFC 6712): POST the DER with Content-Type application/pkixcmp, expect 200 and the same type back.
 * node:http with a keep-alive agent limited to one socket, so every message of a transaction travels on the same
 * connection (cmp.md §10.3: fetch/undici opens new sockets and cannot be used).
 */
import http from 'node:http'
import https from 'node:https'
import { DojangError } from '../../../../common/errors'
import { caBadResponse, caUnreachable, cancelled } from '../errors'
import { DEFAULT_LIMITS, type CmpTransport, type SendOptions, type TransportLimits } from './types'

export const CMP_CONTENT_TYPE = 'application/pkixcmp'

export class HttpTransport implements CmpTransport {
  readonly endpoint: string
  private readonly url: URL
  private readonly agent: http.Agent
  private readonly limits: TransportLimits

  constructor(url: string, limits: Partial<TransportLimits> = {}) {
    this.url = new URL(url)
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new RangeError('CMP over HTTP needs an http: or https: URL')
    this.endpoint = `${this.url.protocol}//${this.url.host}${this.url.pathname}`
    this.limits = { ...DEFAULT_LIMITS, ...limits }
    const Agent = this.url.protocol === 'https:' ? https.Agent : http.Agent
    this.agent = new Agent({ keepAlive: true, maxSockets: 1 })
  }

  send(request: Uint8Array, opts: SendOptions = {}): Promise<Uint8Array> {
    const { signal } = opts
    if (signal?.aborted) return Promise.reject(cancelled())
    const mod = this.url.protocol === 'https:' ? https : http
    return new Promise<Uint8Array>((resolve, reject) => {
      let settled = false
      const finish = (err: DojangError | undefined, value?: Uint8Array) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        if (err) {
          req.destroy()
          reject(err)
        } else resolve(value!)
      }
      const onAbort = () => finish(cancelled())
      const timer = setTimeout(
        () => finish(caUnreachable('timeout', `The certificate authority did not answer within ${Math.round(this.limits.timeoutMs / 1000)} s`, { endpoint: this.endpoint })),
        this.limits.timeoutMs,
      )
      const req = mod.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { 'Content-Type': CMP_CONTENT_TYPE, 'Content-Length': request.length, Accept: CMP_CONTENT_TYPE, Connection: 'keep-alive' },
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      req.on('error', (e: NodeJS.ErrnoException) => finish(mapSocketError(e, this.endpoint)))
      req.on('response', (res) => {
        const type = (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
        if (res.statusCode !== 200) {
          res.resume()
          return finish(caUnreachable('http-status', `The certificate authority answered HTTP ${res.statusCode}`, { endpoint: this.endpoint, httpStatus: res.statusCode ?? 0 }))
        }
        if (type !== CMP_CONTENT_TYPE) {
          res.resume()
          return finish(caUnreachable('not-cmp', 'The address answers, but not as a CMP server (wrong content type)', { endpoint: this.endpoint, contentType: type.slice(0, 60) }))
        }
        const declared = Number(res.headers['content-length'] ?? '0')
        if (declared > this.limits.maxBytes) {
          return finish(caBadResponse('too-large', 'The certificate authority sent a message larger than any CMP answer', { size: declared }))
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > this.limits.maxBytes) finish(caBadResponse('too-large', 'The certificate authority sent a message larger than any CMP answer', { size }))
          else chunks.push(c)
        })
        res.on('end', () => finish(undefined, new Uint8Array(Buffer.concat(chunks))))
        res.on('error', (e: NodeJS.ErrnoException) => finish(mapSocketError(e, this.endpoint)))
      })
      req.end(Buffer.from(request.buffer, request.byteOffset, request.byteLength))
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

export function mapSocketError(e: NodeJS.ErrnoException, endpoint: string): DojangError {
  if (e instanceof DojangError) return e
  switch (e.code) {
    case 'ECONNREFUSED':
      return caUnreachable('refused', 'The certificate authority refused the connection (nothing listens at that address and port)', { endpoint }, e)
    case 'ETIMEDOUT':
      return caUnreachable('timeout', 'Connecting to the certificate authority timed out', { endpoint }, e)
    case 'ECONNRESET':
    case 'EPIPE':
      return caUnreachable('closed', 'The certificate authority closed the connection before answering', { endpoint }, e)
    default:
      return caUnreachable('network', 'The certificate authority cannot be reached', { endpoint, code: String(e.code ?? 'unknown').slice(0, 40) }, e)
  }
}
