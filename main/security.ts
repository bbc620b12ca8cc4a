/**
 * The window and session hardening of Electron's security checklist, as plain data and functions so that tests
 * can check every setting with a mocked `electron`.
 */
import { pathToFileURL } from 'node:url'

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

export function webPreferences(preloadPath: string) {
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
  } as const
}

/**
 * Whether an IPC sender or a navigation target is Dojang's own page: the built index.html loaded from disk, or
 * the electron-vite dev server during development.
 */
export function trustedPage(rendererIndexHtml: string, devServerUrl?: string): (url: string) => boolean {
  const fileUrl = pathToFileURL(rendererIndexHtml).href
  let devOrigin: string | undefined
  if (devServerUrl) {
    try {
      devOrigin = new URL(devServerUrl).origin
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
    if (parsed.protocol === 'file:') return `${parsed.origin === 'null' ? 'file://' : parsed.origin}${parsed.pathname}` === fileUrl
    return devOrigin !== undefined && parsed.origin === devOrigin
  }
}

/** The headers every response to the page gets (also set as a meta tag in index.html). */
export function withSecurityHeaders(headers: Record<string, string[] | string> | undefined): Record<string, string[] | string> {
  return { ...headers, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY], 'X-Content-Type-Options': ['nosniff'] }
}
