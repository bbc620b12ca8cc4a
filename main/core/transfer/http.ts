/** Response headers and bounded body reading for the session server (qr-transfer.md §4.6, §4.7). */
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * On every response. No Access-Control-* header is ever sent: a foreign page can neither read a response nor,
 * because POST bodies are application/octet-stream (a preflighted type), send one.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // One request per connection: nothing lingers after the session ends.
  Connection: 'close',
}

export function send(res: ServerResponse, status: number, body?: string | Uint8Array, type = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) return
  const payload = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(payload.length) })
  res.end(payload)
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8')
}

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' }

/** Reads a request body of at most `limit` bytes; a bigger one is refused from its Content-Length or as it streams. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? NaN)
    if (Number.isFinite(declared) && declared > limit) {
      req.resume()
      resolve({ ok: false, reason: 'too-large' })
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const settle = (r: BodyResult): void => {
      if (!settled) {
        settled = true
        resolve(r)
      }
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        settle({ ok: false, reason: 'too-large' })
        req.resume()
        return
      }
      if (!settled) chunks.push(chunk)
    })
    req.on('end', () => settle({ ok: true, body: Buffer.concat(chunks) }))
    req.on('error', () => settle({ ok: false, reason: 'aborted' }))
    req.on('aborted', () => settle({ ok: false, reason: 'aborted' }))
  })
}

/** The media type without parameters, lower case ("application/octet-stream; x=1" → "application/octet-stream"). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

/** The peer's address without the IPv4-mapped prefix, for the confirmation screen. */
export function peerAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
}

/** The browser's User-Agent, trimmed and stripped of control characters, for the confirmation screen. */
export function peerUserAgent(req: IncomingMessage): string {
  // eslint-disable-next-line no-control-regex
  return (req.headers['user-agent'] ?? '').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 200)
}
