/**
 * One interface for every way of reaching a CA (cmp.md §6.3). A transport instance serves ONE transaction and keeps
 * its connection for all of that transaction's messages (the OpenSSL mock needs it; it is harmless elsewhere).
 */
export interface SendOptions {
  signal?: AbortSignal
  /** false for CMPv1 `conf`, which has no reply: the request is delivered and nothing is awaited. */
  expectReply?: boolean
}

export interface CmpTransport {
  /** Sends one DER PKIMessage and resolves with the DER answer. Rejects with CA_UNREACHABLE, CA_BAD_RESPONSE or CANCELLED. */
  send(request: Uint8Array, opts?: SendOptions): Promise<Uint8Array>
  /** Closes the connection; safe to call twice. */
  close(): void
  /** A label for logs and errors: no secrets (e.g. "http://127.0.0.1:8080/pkix/" or "tcp 10.0.0.1:4502 rfc2510"). */
  readonly endpoint: string
}

export interface TransportLimits {
  /** Connect plus the whole answer, per message. */
  timeoutMs: number
  /** Largest answer accepted. */
  maxBytes: number
}

export const DEFAULT_LIMITS: TransportLimits = { timeoutMs: 30_000, maxBytes: 1 << 20 }
