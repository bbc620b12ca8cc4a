/**
 * The window and session hardening of Electron's security checklist, as plain data and functions so that tests
 * can check every setting with a mocked `electron`.
 *
 * The page is served from `app://dojang/…` (a privileged, standard, secure custom scheme) rather than `file://`:
 * its origin is its own, nothing outside the renderer folder can be fetched, and the `file:` protocol needs no
 * extra privileges (the grantFileProtocolExtraPrivileges fuse is off in electron-builder.json).
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'

export const APP_SCHEME = 'app'
export const APP_HOST = 'dojang'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

/** Privileges of the app scheme, for protocol.registerSchemesAsPrivileged (before the app is ready). */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: false } as const

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

export function webPreferences(preloadPath: string, opts: { devTools?: boolean } = {}) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    // DevTools only while developing: in a packaged app they would hand the page's powers to whoever opens them.
    devTools: opts.devTools ?? false,
  } as const
}

/**
 * Whether an IPC sender or a navigation target is Dojang's own page: app://dojang/index.html, or the electron-vite
 * dev server, which the caller passes only when the app is not packaged (a packaged app never trusts an
 * environment variable for this).
 */
export function trustedPage(devServerUrl?: string): (url: string) => boolean {
  let devOrigin: string | undefined
  if (devServerUrl) {
    try {
      const u = new URL(devServerUrl)
      // Only a dev server on this machine.
      if ((u.protocol === 'http:' || u.protocol === 'https:') && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) devOrigin = u.origin
    } catch {
      devOrigin = undefined
    }
  }
  return (url: string) => {
    if (!url) return false
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return false
    }
    if (parsed.protocol === `${APP_SCHEME}:`) return parsed.host === APP_HOST && (parsed.pathname === '/index.html' || parsed.pathname === '/')
    return devOrigin !== undefined && parsed.origin === devOrigin
  }
}

/**
 * Web pages Dojang may open in the person's browser: https only, and only the certificate authorities and KISA
 * (where 공동인증서 are issued, renewed and revoked). Anything else a page asks to open is dropped.
 */
export const EXTERNAL_HOSTS = [
  'yessign.or.kr', // 금융결제원
  'signkorea.com', // 코스콤
  'crosscert.com', // 한국전자인증
  'signgate.com', // 한국정보인증
  'tradesign.net', // 한국무역정보통신
  'rootca.or.kr', // KISA 전자서명인증관리센터
  'kisa.or.kr',
] as const

export function isAllowedExternalUrl(url: string): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.protocol !== 'https:' || u.username || u.password || u.port) return false
  const host = u.hostname.toLowerCase()
  return EXTERNAL_HOSTS.some((h) => host === h || host.endsWith(`.${h}`))
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
}

/**
 * The file an app:// URL names inside `rendererDir`, or null: another host, an encoded or plain `..`, a backslash,
 * a NUL or anything that resolves outside the folder is refused.
 */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null
  let rel: string
  try {
    rel = decodeURIComponent(u.pathname)
  } catch {
    return null
  }
  if (rel === '/' || rel === '') rel = '/index.html'
  if (rel.includes('\0') || rel.includes('\\') || rel.split('/').some((part) => part === '..')) return null
  const root = path.resolve(rendererDir)
  const file = path.resolve(root, `.${rel}`)
  return file.startsWith(root + path.sep) ? file : null
}

/** The protocol handler's answer for one request: the file with its type and the security headers, or 403/404. */
export async function serveAppRequest(rendererDir: string, url: string): Promise<Response> {
  const file = resolveAppFile(rendererDir, url)
  if (!file) return new Response('Forbidden', { status: 403 })
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    return new Response('Not found', { status: 404 })
  }
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
  })
}

/** The headers every response to the page gets (also set as a meta tag in index.html). */
export function withSecurityHeaders(headers: Record<string, string[] | string> | undefined): Record<string, string[] | string> {
  return { ...headers, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY], 'X-Content-Type-Options': ['nosniff'] }
}
