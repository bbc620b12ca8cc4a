/**
 * The Chromium test transport: builds the same window.dojang the preload builds (one function per method of
 * common/methods.ts, plus subscribe), but routes calls through a Playwright binding to main's invokeMethod in
 * Node. Generated from METHOD_NAMES, so a new contract method needs no change here.
 *
 * Bytes: messages travel as JSON text, so Uint8Array values are wrapped as { [BYTES_TAG]: base64 } on one side and
 * unwrapped on the other, in both directions (a dropped PFX file arrives in main as a Uint8Array, as in Electron).
 */
import type { Page } from 'playwright-core'
import type { DojangEvent, MethodName, Result } from '../../common/contract'
import { METHOD_NAMES } from '../../common/methods'
import { invokeMethod, type Handlers } from '../../main/ipc'

export const BYTES_TAG = '__dojangBytes'
const BINDING = '__dojangInvoke'
const EMIT = '__dojangEmit'

/**
 * The wire format between page and Node: one JSON string per message. Playwright's own argument serializer
 * walks every value through a protocol object, which costs seconds for a 10,000-certificate list; one string
 * crosses in milliseconds, like Electron's structured clone. The first character says whether the JSON holds
 * tagged bytes ('b') or not ('j'), so the common case parses without a reviver.
 */
export function toWire(value: unknown): string {
  let bytes = false
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) {
      bytes = true
      return { [BYTES_TAG]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') }
    }
    return v
  })
  return (bytes ? 'b' : 'j') + (json ?? 'null')
}

export function fromWire(wire: string): unknown {
  const json = wire.slice(1)
  if (wire[0] !== 'b') return JSON.parse(json)
  return JSON.parse(json, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>
      const keys = Object.keys(o)
      if (keys.length === 1 && keys[0] === BYTES_TAG && typeof o[BYTES_TAG] === 'string') return new Uint8Array(Buffer.from(o[BYTES_TAG], 'base64'))
    }
    return v
  })
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
  const toWire = (value) => {
    let bytes = false;
    const json = JSON.stringify(value === undefined ? null : value, (k, v) => { if (v instanceof Uint8Array) { bytes = true; return { [TAG]: toB64(v) } } return v });
    return (bytes ? 'b' : 'j') + json;
  };
  const fromWire = (wire) => wire[0] !== 'b' ? JSON.parse(wire.slice(1)) : JSON.parse(wire.slice(1), (k, v) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) { const keys = Object.keys(v); if (keys.length === 1 && keys[0] === TAG && typeof v[TAG] === 'string') return fromB64(v[TAG]) }
    return v;
  });
  const invoke = window[${JSON.stringify(BINDING)}];
  const listeners = new Set();
  const api = {};
  // A mark per response lets the list benchmark tell the renderer's own time from the transport's.
  for (const m of ${JSON.stringify(methods)}) api[m] = (request) => invoke(m, toWire(request)).then((wire) => { const v = fromWire(wire); performance.mark('dojang:response:' + m); return v });
  api.subscribe = (listener) => { listeners.add(listener); return () => { listeners.delete(listener) } };
  Object.defineProperty(window, ${JSON.stringify(EMIT)}, { value: (wire) => { const event = fromWire(wire); for (const l of [...listeners]) { try { l(event) } catch (e) { console.error(e) } } } });
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
  await page.exposeBinding(BINDING, async (_source, method: unknown, wire: unknown) => {
    if (typeof method !== 'string' || !known.has(method) || typeof wire !== 'string') {
      return toWire({ ok: false, error: { code: 'INVALID_INPUT', message: 'unknown method', details: {} } } satisfies Result<never>)
    }
    const result = await invokeMethod(handlers, method as MethodName, fromWire(wire))
    calls.push({ method: method as MethodName, ok: result.ok, ...(result.ok ? {} : { code: result.error.code }) })
    return toWire(result)
  })
  await page.addInitScript({ content: pageScript(METHOD_NAMES) })
  const emit = (event: DojangEvent) => {
    if (page.isClosed()) return
    // Events before the page has loaded are dropped, as Electron drops sends to a page that is not there yet.
    page.evaluate(([name, wire]) => (globalThis as unknown as Record<string, ((x: string) => void) | undefined>)[name]?.(wire), [EMIT, toWire(event)] as const).catch(() => {})
  }
  return { emit, calls }
}
