/**
 * CMP over a plain TCP socket, as Korean CAs publish it (a host and a "CMP port", 4502). The framing on that
 * socket is not confirmed (cmp.md §6.2), so it is a setting:
 *   - 'rfc2510': RFC 2510 §5.2, `length(4, big-endian, counts flag+value) | flag(1) | value`; flag 0 carries a
 *     PKIMessage, 5 a final answer after polling, 1 asks us to poll (pollRep), 3 says nothing will come,
 *     6 carries an error text.
 *   - 'raw-der': the DER PKIMessage alone; the answer is read as one DER element.
 * One socket per transaction; if the CA closes it between messages, the next message opens a new one.
 */
import net from 'node:net'
import type { DojangError } from '../../../../common/errors'
import { caBadResponse, caUnreachable, cancelled } from '../errors'
import { mapSocketError } from './http'
import { DEFAULT_LIMITS, type CmpTransport, type SendOptions, type TransportLimits } from './types'

export type TcpFraming = 'rfc2510' | 'raw-der'

/** RFC 2510 §5.2 message types. */
export const TCP_FLAG = { pkiMsg: 0, pollRep: 1, pollReq: 2, negPollRep: 3, partialMsgRep: 4, finalMsgRep: 5, errorMsgRep: 6 } as const

/** The longest a TCP-level pollRep may make us wait before asking again. */
const MAX_POLL_WAIT_MS = 60_000

export function frameRfc2510(flag: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + value.length)
  new DataView(out.buffer).setUint32(0, value.length + 1)
  out[4] = flag
  out.set(value, 5)
  return out
}

type Frame = { flag: number; value: Uint8Array }

/**
 * Takes one complete frame from the front of `buf`: the frame and how many bytes it used, undefined when more
 * bytes are needed. Throws a DojangError for frames no CA would send.
 */
export function takeFrame(buf: Uint8Array, framing: TcpFraming, maxBytes: number): { frame: Frame; used: number } | undefined {
  if (framing === 'rfc2510') {
    if (buf.length < 5) return undefined
    const length = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(0)
    if (length < 1 || length - 1 > maxBytes) throw caBadResponse('bad-frame', 'The certificate authority sent a TCP frame of impossible length (is the framing setting right?)', { length })
    if (buf.length < 4 + length) return undefined
    return { frame: { flag: buf[4]!, value: buf.slice(5, 4 + length) }, used: 4 + length }
  }
  // raw DER: SEQUENCE with a definite length
  if (buf.length < 2) return undefined
  if (buf[0] !== 0x30) throw caBadResponse('bad-frame', 'The certificate authority did not answer with a DER message (is the framing setting right?)', { firstByte: buf[0]! })
  let header = 2
  let length = buf[1]!
  if (length & 0x80) {
    const count = length & 0x7f
    if (count === 0 || count > 4) throw caBadResponse('bad-frame', 'The certificate authority sent a DER length we do not accept', {})
    if (buf.length < 2 + count) return undefined
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + buf[2 + i]!
    header += count
  }
  if (length > maxBytes) throw caBadResponse('too-large', 'The certificate authority sent a message larger than any CMP answer', { size: length })
  if (buf.length < header + length) return undefined
  return { frame: { flag: TCP_FLAG.pkiMsg, value: buf.slice(0, header + length) }, used: header + length }
}

export class TcpTransport implements CmpTransport {
  readonly endpoint: string
  private readonly limits: TransportLimits
  private socket?: net.Socket
  private buffer = new Uint8Array(0)
  private closed = false
  /** Wakes the pending reader when bytes arrive, the socket ends or fails. */
  private wake?: (err?: DojangError) => void
  private socketError?: DojangError

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly framing: TcpFraming,
    limits: Partial<TransportLimits> = {},
  ) {
    this.endpoint = `tcp ${host}:${port} ${framing}`
    this.limits = { ...DEFAULT_LIMITS, ...limits }
  }

  async send(request: Uint8Array, opts: SendOptions = {}): Promise<Uint8Array> {
    const { signal } = opts
    if (signal?.aborted) throw cancelled()
    const deadline = Date.now() + this.limits.timeoutMs
    await this.connect(deadline, signal)
    this.write(this.framing === 'rfc2510' ? frameRfc2510(TCP_FLAG.pkiMsg, request) : request)
    if (opts.expectReply === false) return new Uint8Array(0)
    let pollDeadline = deadline
    for (;;) {
      const frame = await this.readFrame(pollDeadline, signal)
      switch (frame.flag) {
        case TCP_FLAG.pkiMsg:
        case TCP_FLAG.finalMsgRep:
          return frame.value
        case TCP_FLAG.pollRep: {
          if (frame.value.length < 8) throw caBadResponse('bad-frame', 'The certificate authority sent a broken TCP pollRep', {})
          const view = new DataView(frame.value.buffer, frame.value.byteOffset, 8)
          const ref = frame.value.slice(0, 4)
          const waitMs = Math.min(view.getUint32(4) * 1000, MAX_POLL_WAIT_MS)
          await sleep(waitMs, signal)
          this.write(frameRfc2510(TCP_FLAG.pollReq, ref))
          pollDeadline = Date.now() + this.limits.timeoutMs
          break
        }
        case TCP_FLAG.negPollRep:
          throw caBadResponse('tcp-negative-poll', 'The certificate authority said no answer will come (negPollRep)', {})
        case TCP_FLAG.errorMsgRep:
          throw caBadResponse('tcp-error', 'The certificate authority reported a transport error', { text: printable(frame.value) })
        default:
          throw caBadResponse('bad-frame', 'The certificate authority sent a TCP message type Dojang does not handle', { flag: frame.flag })
      }
    }
  }

  close(): void {
    this.closed = true
    this.socket?.destroy()
    this.socket = undefined
  }

  private write(bytes: Uint8Array): void {
    this.socket!.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  }

  private connect(deadline: number, signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(caUnreachable('closed', 'The connection to the certificate authority is closed', { endpoint: this.endpoint }))
    if (this.socket && !this.socket.destroyed && this.socketError === undefined) return Promise.resolve()
    this.buffer = new Uint8Array(0)
    this.socketError = undefined
    return new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port })
      this.socket = socket
      let connected = false
      const done = (err?: DojangError) => {
        connected = !err
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        socket.off('connect', onConnect)
        if (err) {
          socket.destroy()
          reject(err)
        } else resolve()
      }
      const onConnect = () => done()
      const onAbort = () => done(cancelled())
      const timer = setTimeout(() => done(caUnreachable('timeout', 'Connecting to the certificate authority timed out', { endpoint: this.endpoint })), Math.max(0, deadline - Date.now()))
      signal?.addEventListener('abort', onAbort, { once: true })
      socket.once('connect', onConnect)
      socket.on('data', (chunk: Buffer) => {
        const next = new Uint8Array(this.buffer.length + chunk.length)
        next.set(this.buffer)
        next.set(chunk, this.buffer.length)
        this.buffer = next
        this.wake?.()
      })
      socket.on('error', (e: NodeJS.ErrnoException) => {
        const err = mapSocketError(e, this.endpoint)
        if (!connected) return done(err)
        this.socketError = err
        this.wake?.(err)
      })
      socket.on('close', () => {
        this.socketError ??= caUnreachable('closed', 'The certificate authority closed the connection before answering', { endpoint: this.endpoint })
        this.wake?.(this.socketError)
      })
    })
  }

  private async readFrame(deadline: number, signal?: AbortSignal): Promise<Frame> {
    for (;;) {
      const got = takeFrame(this.buffer, this.framing, this.limits.maxBytes)
      if (got) {
        this.buffer = this.buffer.slice(got.used)
        return got.frame
      }
      if (this.socketError) throw this.socketError
      if (this.buffer.length > this.limits.maxBytes + 8) throw caBadResponse('too-large', 'The certificate authority sent more than any CMP answer', {})
      await new Promise<void>((resolve, reject) => {
        const finish = (err?: DojangError) => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          this.wake = undefined
          if (err) reject(err)
          else resolve()
        }
        const onAbort = () => finish(cancelled())
        const timer = setTimeout(
          () => finish(caUnreachable('timeout', `The certificate authority did not answer within ${Math.round(this.limits.timeoutMs / 1000)} s`, { endpoint: this.endpoint })),
          Math.max(0, deadline - Date.now()),
        )
        signal?.addEventListener('abort', onAbort, { once: true })
        this.wake = finish
      })
    }
  }
}

function printable(b: Uint8Array): string {
  return Buffer.from(b.subarray(0, 200)).toString('latin1').replace(/[^\x20-\x7e]/g, '?')
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(cancelled())
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(cancelled())
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
