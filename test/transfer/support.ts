/** Shared helpers for the transfer tests: raw HTTP with chosen headers, a manual clock, progress capture. */
import { request } from 'node:http'
import type { OperationProgress } from '../../main/core/app/operation'
import type { Scheduler } from '../../main/core/transfer/server'

export const TEST_HOST = 'dojang-desktop.test'

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export interface RawRequest {
  method?: string
  path: string
  /** The Host header; default `${TEST_HOST}:${port}`. */
  host?: string
  origin?: string
  contentType?: string
  body?: Uint8Array
  headers?: Record<string, string>
}

/** One request to 127.0.0.1:port (never anywhere else), with the Host header the test chooses. */
export function raw(port: number, r: RawRequest): Promise<RawResponse> {
  const headers: Record<string, string> = { host: r.host ?? `${TEST_HOST}:${port}`, ...r.headers }
  if (r.origin !== undefined) headers.origin = r.origin
  if (r.contentType !== undefined) headers['content-type'] = r.contentType
  if (r.body !== undefined) headers['content-length'] = String(r.body.length)
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: r.method ?? 'GET', path: r.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(r.body === undefined ? undefined : Buffer.from(r.body))
  })
}

/** A POST the way the phone page sends it (same origin, octet-stream). */
export function post(port: number, path: string, body: Uint8Array, extra: Partial<RawRequest> = {}): Promise<RawResponse> {
  return raw(port, { method: 'POST', path, body, contentType: 'application/octet-stream', origin: `http://${TEST_HOST}:${port}`, ...extra })
}

/** Resolves with the error code of a request that cannot connect (the server is closed). */
export async function connectError(port: number, path = '/'): Promise<string | undefined> {
  try {
    await raw(port, { path })
    return undefined
  } catch (e) {
    return (e as { code?: string }).code
  }
}

/** Timers the test fires by hand: the 120 s expiry passes when the test says so. */
export function manualScheduler(): { scheduler: Scheduler; fire(what: 'expiry' | 'long-poll'): number; live(what: 'expiry' | 'long-poll'): number } {
  const pending: { what: 'expiry' | 'long-poll'; fn: () => void; live: boolean }[] = []
  return {
    scheduler: (_ms, fn, what) => {
      const entry = { what, fn, live: true }
      pending.push(entry)
      return () => {
        entry.live = false
      }
    },
    fire(what) {
      let n = 0
      for (const e of pending) {
        if (e.what === what && e.live) {
          e.live = false
          e.fn()
          n++
        }
      }
      return n
    },
    /** How many timers of that kind are armed (a held status request arms one 'long-poll'). */
    live(what) {
      return pending.filter((e) => e.what === what && e.live).length
    },
  }
}

export function progressLog(): { steps: OperationProgress[]; progress: (p: OperationProgress) => void; step(name: string): OperationProgress | undefined } {
  const steps: OperationProgress[] = []
  return { steps, progress: (p) => steps.push(p), step: (name) => steps.find((s) => s.step === name) }
}

/** The sid and key from a session URL, as the phone page reads them. */
export function parseSessionUrl(url: string): { port: number; path: string; sid: string; key: Uint8Array; keyText: string } {
  const u = new URL(url)
  const sid = u.pathname.split('/')[2] ?? ''
  const keyText = u.hash.replace(/^#k=/, '')
  return { port: Number(u.port), path: u.pathname, sid, key: new Uint8Array(Buffer.from(keyText, 'base64url')), keyText }
}
