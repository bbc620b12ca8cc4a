/**
 * The one-shot session server (qr-transfer.md §4.3–4.7): node:http bound to one address on a random port, serving
 * the phone page from memory and moving one sealed envelope in one direction, after the person at the desktop
 * confirmed the phone by its code.
 *
 *   waiting ──claim──▶ claimed ──confirm()──▶ confirmed ──payload / upload──▶ done
 *      │                  │ reject()                 │
 *      └──────────────────┴─▶ declined · expired (ttl) · cancelled (signal) · aborted (bad-request budget)
 *
 * Every terminal state closes the server (later connections are refused) and forgets the key.
 *
 * Routes (all under /c/<sid>; anything else is 404 and counts against the bad-request budget):
 *   GET  /c/<sid>            the page          GET /c/<sid>/app.js, /app.css   its script and style
 *   POST /c/<sid>/claim      body: np (16 bytes)  → 200 {mode}; 409 once claimed
 *   POST /c/<sid>/status     body: np             → long-poll: answers when the state leaves 'claimed' {state}
 *   POST /c/<sid>/payload    body: np             → 200 sealed envelope once confirmed (share sessions)
 *   POST /c/<sid>/upload     body: np ‖ envelope  → 200 once confirmed and the envelope opens (receive sessions)
 * POST bodies must be application/octet-stream. Host must be the advertised host:port; an Origin, when sent,
 * must be that origin.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { timingSafeEqual } from 'node:crypto'
import { DojangError } from '../../../common/errors'
import type { OperationContext } from '../app/operation'
import { hostPort, sessionUrl } from './address'
import { confirmationCode, NONCE_BYTES } from './code'
import { openEnvelope } from './envelope'
import { mediaType, peerAddress, peerUserAgent, readBody, send, sendJson } from './http'
import { decodeUpload, type UploadFile } from './payload'
import { PHONE_APP_CSS, PHONE_APP_JS, phonePageHtml } from './phone/page'
import { keyToBase64url, sameSid, type SessionSecrets } from './secrets'

export type SessionMode = 'share' | 'receive'
export type TerminalState = 'done' | 'declined' | 'expired' | 'cancelled' | 'aborted'
/** 'sending': the envelope is on its way to the phone (or the upload's answer to it); then 'done'. */
export type SessionState = 'waiting' | 'claimed' | 'confirmed' | 'sending' | TerminalState

/** Replaceable timers, so tests can make the 120 s pass without waiting. Returns a function that cancels. */
export type Scheduler = (ms: number, fn: () => void, what: 'expiry' | 'long-poll') => () => void

export const realScheduler: Scheduler = (ms, fn) => {
  const t = setTimeout(fn, ms)
  return () => clearTimeout(t)
}

export interface EndpointOptions {
  /** The one address to listen on (a LAN address from lanAddresses(); 127.0.0.1 in tests). Never 0.0.0.0. */
  bindHost: string
  /** The host the URL names and the Host header must carry; default bindHost. */
  advertiseHost?: string
  /** Default 0: the OS picks a free port. */
  port?: number
}

export interface SessionLimits {
  /** Default 120 000 (120 s from the start, when the QR is shown). */
  ttlMs?: number
  /** Bad requests tolerated; the next one ends the session ('aborted'). Default 5. */
  maxBadRequests?: number
  /** How long a status request is held before it answers 'claimed' again. Default 20 000. */
  longPollMs?: number
  /** Largest upload envelope accepted. Default 2 MiB. */
  maxUploadBytes?: number
  scheduler?: Scheduler
}

export interface SessionEnd {
  state: TerminalState
  /** Receive sessions that completed: the decrypted file. */
  upload?: UploadFile
}

export interface ServerSessionOptions extends EndpointOptions, SessionLimits {
  mode: SessionMode
  secrets: SessionSecrets
  /** Share sessions: the sealed envelope released after confirmation. */
  sealed?: Uint8Array
  ctx?: OperationContext
}

interface Claim {
  nonce: Buffer
  code: string
  address: string
  userAgent: string
}

const ROUTE = /^\/c\/([A-Za-z0-9_-]{1,64})(?:\/(app\.js|app\.css|claim|status|payload|upload))?$/
/** Asked for by browsers on their own; answered 404 without counting as a guess. */
const BROWSER_NOISE = new Set(['/favicon.ico', '/apple-touch-icon.png', '/apple-touch-icon-precomposed.png'])
const MAX_WAITERS = 2

/** What the starter of a session (share or receive) holds: the listening session, without its internals. */
export interface SessionHandle {
  /** For the QR code and the CLI. Holds the key in its fragment: show it, never log it. */
  readonly url: string
  /** The path part of the URL; not secret on its own (the key is not in it). */
  readonly sessionId: string
  readonly host: string
  readonly port: number
  readonly expiresAt: number
  confirm(): boolean
  reject(): boolean
  cancel(): void
}

/** The handle of a listening session, with the caller's `result`. */
export function sessionHandle<R>(session: TransferSession, result: Promise<R>): SessionHandle & { readonly result: Promise<R> } {
  return {
    // A getter: the session forgets the URL (and the key in it) when it ends.
    get url() {
      return session.url
    },
    sessionId: session.sessionId,
    host: session.host,
    port: session.port,
    expiresAt: session.expiresAt,
    confirm: () => session.confirm(),
    reject: () => session.reject(),
    cancel: () => session.cancel(),
    result,
  }
}

export class TransferSession {
  readonly mode: SessionMode
  readonly sessionId: string
  /** The full URL for the QR, key in the fragment. Secret: show it, never log it. */
  url = ''
  /** Epoch milliseconds when the session expires (for a countdown). */
  expiresAt = 0
  host: string
  port = 0

  private state: SessionState = 'waiting'
  private readonly key: Uint8Array
  private readonly server: Server
  private claim: Claim | undefined
  private badRequests = 0
  private readonly waiters = new Set<ServerResponse>()
  /** Every response not yet closed, so an ending can cut requests still sending their bodies. */
  private readonly inflight = new Set<ServerResponse>()
  private cancelExpiry: (() => void) | undefined
  private endResolve!: (end: SessionEnd) => void
  private upload: UploadFile | undefined
  private readonly onAbort = (): void => this.finish('cancelled')
  /** Resolves once the session reached a terminal state and the server has closed. */
  readonly ended: Promise<SessionEnd>

  constructor(private readonly opts: ServerSessionOptions) {
    this.mode = opts.mode
    this.sessionId = opts.secrets.sid
    this.key = opts.secrets.key
    this.host = opts.advertiseHost ?? opts.bindHost
    this.ended = new Promise((resolve) => (this.endResolve = resolve))
    this.server = createServer({ maxHeaderSize: 8192, requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
      this.inflight.add(res)
      res.on('close', () => this.inflight.delete(res))
      this.handle(req, res).catch(() => send(res, 500))
    })
    // Node drops a CONNECT request without a word when nobody listens for it; every request gets an answer here,
    // and like any request outside the routes it counts against the bad-request budget.
    this.server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
      socket.on('error', () => undefined)
      socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      this.badRequests++
      if (this.badRequests > (this.opts.maxBadRequests ?? 5)) this.finish('aborted')
    })
    this.server.maxConnections = 32
  }

  get currentState(): SessionState {
    return this.state
  }

  async listen(): Promise<void> {
    const signal = this.opts.ctx?.signal
    if (signal?.aborted) throw new DojangError('CANCELLED', 'The transfer was cancelled before it started.')
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen({ host: this.opts.bindHost, port: this.opts.port ?? 0, exclusive: true }, () => {
        this.server.off('error', reject)
        resolve()
      })
    }).catch((e: unknown) => {
      const errno = (e as { code?: string }).code
      if (errno === 'EADDRNOTAVAIL' || errno === 'ENOTFOUND' || errno === 'EINVAL') {
        throw new DojangError('INVALID_INPUT', `This computer has no network address ${this.opts.bindHost}. Choose another network.`, { address: this.opts.bindHost })
      }
      if (errno === 'EACCES') throw new DojangError('PERMISSION_DENIED', 'The system did not allow Dojang to listen on the network.', { address: this.opts.bindHost })
      throw new DojangError('IO_ERROR', 'The transfer server could not start.', { address: this.opts.bindHost, errno: errno ?? 'unknown' }, { cause: e })
    })
    this.port = (this.server.address() as AddressInfo).port
    this.url = sessionUrl(this.host, this.port, this.sessionId, keyToBase64url(this.key))
    const ttl = this.opts.ttlMs ?? 120_000
    this.expiresAt = Date.now() + ttl
    this.cancelExpiry = this.schedule(ttl, () => this.finish('expired'), 'expiry')
    signal?.addEventListener('abort', this.onAbort, { once: true })
    this.progress('waiting-for-phone', { address: hostPort(this.host, this.port), expiresAt: this.expiresAt, mode: this.mode })
  }

  /** The person confirmed that the code on the phone matches. False when no phone is waiting for that. */
  confirm(): boolean {
    if (this.state !== 'claimed') return false
    this.state = 'confirmed'
    this.progress('confirmed')
    this.answerWaiters()
    return true
  }

  /** The person did not recognise the phone (or the codes differ): end the session. */
  reject(): boolean {
    if (this.state !== 'claimed' && this.state !== 'confirmed') return false
    this.finish('declined')
    return true
  }

  cancel(): void {
    this.finish('cancelled')
  }

  private schedule(ms: number, fn: () => void, what: 'expiry' | 'long-poll'): () => void {
    return (this.opts.scheduler ?? realScheduler)(ms, fn, what)
  }

  private progress(step: string, detail?: Record<string, string | number | boolean>): void {
    try {
      this.opts.ctx?.progress?.(detail ? { step, detail } : { step })
    } catch {
      // A failing progress listener must not break the session.
    }
  }

  private isTerminal(): boolean {
    return this.state === 'done' || this.state === 'declined' || this.state === 'expired' || this.state === 'cancelled' || this.state === 'aborted'
  }

  private finish(state: TerminalState): void {
    if (this.isTerminal()) return
    this.state = state
    this.cancelExpiry?.()
    this.opts.ctx?.signal?.removeEventListener('abort', this.onAbort)
    this.answerWaiters()
    this.key.fill(0)
    this.url = ''
    if (state === 'done') this.progress(this.mode === 'share' ? 'sent' : 'received')
    else this.progress(state)
    this.server.close(() => this.endResolve(this.upload ? { state, upload: this.upload } : { state }))
    this.server.closeIdleConnections()
    // Answered responses close by themselves (Connection: close); requests still arriving (a slow upload) are cut
    // rather than holding the ending for up to the request timeout.
    for (const res of this.inflight) if (!res.writableEnded) res.socket?.destroy()
  }

  private answerWaiters(): void {
    for (const res of this.waiters) this.answerStatus(res)
    this.waiters.clear()
  }

  private answerStatus(res: ServerResponse): void {
    const state = this.state
    const status = state === 'expired' || state === 'cancelled' || state === 'aborted' ? 410 : state === 'declined' ? 403 : 200
    sendJson(res, status, { state })
  }

  /** Counts a bad request; past the budget the session ends. */
  private bad(res: ServerResponse, status: number, message: string): void {
    send(res, status, message)
    this.badRequests++
    if (this.badRequests > (this.opts.maxBadRequests ?? 5)) this.finish('aborted')
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.isTerminal()) return send(res, 410, 'This session has ended.')
    const expectedHost = hostPort(this.host, this.port).toLowerCase()
    if ((req.headers.host ?? '').toLowerCase() !== expectedHost) return this.bad(res, 421, 'Wrong host.')
    const origin = req.headers.origin
    if (origin !== undefined && origin !== `http://${expectedHost}`) return this.bad(res, 403, 'Foreign origin.')

    const path = (req.url ?? '').split('?')[0] ?? ''
    if (req.method === 'GET' && BROWSER_NOISE.has(path)) return send(res, 404, 'Not found.')
    const match = ROUTE.exec(path)
    if (!match || !sameSid(match[1] ?? '', this.sessionId)) return this.bad(res, 404, 'Not found.')
    const action = match[2] ?? 'page'

    if (action === 'page' || action === 'app.js' || action === 'app.css') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return this.bad(res, 405, 'Method not allowed.')
      if (action === 'app.js') return send(res, 200, PHONE_APP_JS, 'text/javascript; charset=utf-8')
      if (action === 'app.css') return send(res, 200, PHONE_APP_CSS, 'text/css; charset=utf-8')
      return send(res, 200, phonePageHtml(this.sessionId), 'text/html; charset=utf-8')
    }

    if (req.method !== 'POST') return this.bad(res, 405, 'Method not allowed.')
    if (mediaType(req) !== 'application/octet-stream') return this.bad(res, 415, 'Unsupported media type.')
    const site = req.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin') return this.bad(res, 403, 'Cross-site request.')
    if ((action === 'payload' && this.mode !== 'share') || (action === 'upload' && this.mode !== 'receive')) return this.bad(res, 404, 'Not found.')

    const limit = action === 'upload' ? NONCE_BYTES + (this.opts.maxUploadBytes ?? 2 * 1024 * 1024) : NONCE_BYTES
    const body = await readBody(req, limit)
    if (!body.ok) {
      if (body.reason === 'too-large') return this.bad(res, 413, 'Too large.')
      return
    }
    // The state may have changed while the body arrived.
    if (this.isTerminal()) return send(res, 410, 'This session has ended.')
    if (body.body.length < NONCE_BYTES || (action !== 'upload' && body.body.length !== NONCE_BYTES)) return this.bad(res, 400, 'Bad request.')
    const nonce = body.body.subarray(0, NONCE_BYTES)

    if (action === 'claim') return this.onClaim(req, res, nonce)
    if (!this.claim || !timingSafeEqual(nonce, this.claim.nonce)) return this.bad(res, 403, 'Not the claiming device.')
    if (action === 'status') return this.onStatus(res)
    if (action === 'payload') return this.onPayload(res)
    return this.onUpload(res, body.body.subarray(NONCE_BYTES))
  }

  private onClaim(req: IncomingMessage, res: ServerResponse, nonce: Buffer): void {
    if (this.state !== 'waiting' || this.claim) return this.bad(res, 409, 'Already claimed.')
    const claim: Claim = {
      nonce: Buffer.from(nonce),
      code: confirmationCode(this.key, this.sessionId, nonce),
      address: peerAddress(req),
      userAgent: peerUserAgent(req),
    }
    this.claim = claim
    this.state = 'claimed'
    this.progress('claimed', { code: claim.code, address: claim.address, userAgent: claim.userAgent })
    sendJson(res, 200, { mode: this.mode })
  }

  private onStatus(res: ServerResponse): void {
    if (this.state !== 'claimed') return this.answerStatus(res)
    if (this.waiters.size >= MAX_WAITERS) return sendJson(res, 429, { state: this.state })
    this.waiters.add(res)
    const stop = this.schedule(this.opts.longPollMs ?? 20_000, () => {
      if (this.waiters.delete(res)) this.answerStatus(res)
    }, 'long-poll')
    res.on('close', () => {
      stop()
      this.waiters.delete(res)
    })
  }

  private onPayload(res: ServerResponse): void {
    if (this.state !== 'confirmed') return this.bad(res, 409, 'Not confirmed yet.')
    const sealed = this.opts.sealed
    if (!sealed) return send(res, 500)
    this.state = 'sending'
    // Single use either way: a download that breaks off midway ends the session too.
    res.on('close', () => this.finish(res.writableFinished ? 'done' : 'aborted'))
    send(res, 200, sealed, 'application/octet-stream')
  }

  private onUpload(res: ServerResponse, envelope: Buffer): void {
    if (this.state !== 'confirmed') return this.bad(res, 409, 'Not confirmed yet.')
    let file: UploadFile
    try {
      file = decodeUpload(openEnvelope(this.key, this.sessionId, 'up', envelope))
    } catch {
      return this.bad(res, 400, 'The upload does not open with this session key.')
    }
    this.upload = file
    this.state = 'sending'
    sendJson(res, 200, { state: 'done' })
    this.finish('done')
  }
}
