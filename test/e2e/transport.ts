/**
 * The Chromium test transport: builds the same window.dojang the preload builds (one function per method of
 * common/methods.ts, plus subscribe), but routes calls through a Playwright binding to main's invokeMethod in
 * Node. Generated from METHOD_NAMES, so a new contract method needs no change here.
 *
 * Bytes: a binding's arguments travel as JSON, so Uint8Array values are wrapped as { [BYTES_TAG]: base64 } on one
 * side and unwrapped on the other, in both directions.
 */
import type { Page } from 'playwright-core'
import type { DojangEvent, MethodName, Result } from '../../common/contract'
import { METHOD_NAMES } from '../../common/methods'
import { invokeMethod, type Handlers } from '../../main/ipc'

export const BYTES_TAG = '__dojangBytes'
const BINDING = '__dojangInvoke'
const EMIT = '__dojangEmit'

/** Replaces every Uint8Array (at any depth) with a tagged base64 object. */
export function encodeBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return { [BYTES_TAG]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') }
  if (Array.isArray(value)) return value.map(encodeBytes)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeBytes(v)]))
  return value
}

/** Inverse of encodeBytes: tagged objects become Uint8Array (a plain one, as structured clone would give). */
export function decodeBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeBytes)
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>
    const keys = Object.keys(o)
    if (keys.length === 1 && keys[0] === BYTES_TAG && typeof o[BYTES_TAG] === 'string') return new Uint8Array(Buffer.from(o[BYTES_TAG], 'base64'))
    return Object.fromEntries(keys.map((k) => [k, decodeBytes(o[k])]))
  }
  return value
}

/**
 * Page-side script, as source text: a function passed to addInitScript would be serialized with whatever helpers
 * the test transpiler adds, which do not exist in the page. Kept to plain ES2020.
 */
function pageScript(methods: readonly string[]): string {
  return `(() => {
  const TAG = ${JSON.stringify(BYTES_TAG)};
  const toB64 = (u) => { let s = ''; for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000)); return btoa(s) };
  const fromB64 = (b) => { const s = atob(b); const u = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u };
  const enc = (v) => v instanceof Uint8Array ? { [TAG]: toB64(v) } : Array.isArray(v) ? v.map(enc)
    : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, enc(x)])) : v;
  const dec = (v) => {
    if (Array.isArray(v)) return v.map(dec);
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === TAG && typeof v[TAG] === 'string') return fromB64(v[TAG]);
      return Object.fromEntries(keys.map((k) => [k, dec(v[k])]));
    }
    return v;
  };
  const invoke = window[${JSON.stringify(BINDING)}];
  const listeners = new Set();
  const api = {};
  for (const m of ${JSON.stringify(methods)}) api[m] = (request) => invoke(m, enc(request)).then(dec);
  api.subscribe = (listener) => { listeners.add(listener); return () => { listeners.delete(listener) } };
  Object.defineProperty(window, ${JSON.stringify(EMIT)}, { value: (event) => { for (const l of [...listeners]) { try { l(event) } catch (e) { console.error(e) } } } });
  Object.defineProperty(window, 'dojang', { value: Object.freeze(api), enumerable: true });
})();`
}

export interface TransportLog {
  method: MethodName
  ok: boolean
  code?: string
}

/**
 * Installs window.dojang in `page` (before any page script runs) backed by `handlers`. Returns `emit`, which
 * forwards a main → renderer event to the page, and the call log (methods and outcomes, never payloads).
 */
export async function installTransport(page: Page, handlers: Handlers): Promise<{ emit: (e: DojangEvent) => void; calls: TransportLog[] }> {
  const calls: TransportLog[] = []
  const known = new Set<string>(METHOD_NAMES)
  await page.exposeBinding(BINDING, async (_source, method: unknown, payload: unknown) => {
    if (typeof method !== 'string' || !known.has(method)) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: 'unknown method', details: {} } } satisfies Result<never>
    }
    const result = await invokeMethod(handlers, method as MethodName, decodeBytes(payload))
    calls.push({ method: method as MethodName, ok: result.ok, ...(result.ok ? {} : { code: result.error.code }) })
    return encodeBytes(result)
  })
  await page.addInitScript({ content: pageScript(METHOD_NAMES) })
  const emit = (event: DojangEvent) => {
    if (page.isClosed()) return
    // Events before the page has loaded are dropped, as Electron drops sends to a page that is not there yet.
    page.evaluate(([name, e]) => (globalThis as unknown as Record<string, ((x: unknown) => void) | undefined>)[name]?.(e), [EMIT, encodeBytes(event)] as const).catch(() => {})
  }
  return { emit, calls }
}
