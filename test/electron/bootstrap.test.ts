import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { channelOf, METHOD_NAMES } from '../../common/methods'
import { APP_INDEX_URL, CONTENT_SECURITY_POLICY } from '../../main/security'
import { openInventory } from '../../main/core/inventory'
import { createSoftHsm, type SoftHsm } from '../support/softhsm'
import { makeElectronMock, recorded } from './electronMock'

const userData = mkdtempSync(join(tmpdir(), 'dojang-electron-'))
const mock = makeElectronMock(userData)
vi.mock('electron', () => mock)

const rendererIndex = resolve(__dirname, '../../main/../renderer/index.html')
const ownPage = APP_INDEX_URL

let hsm: SoftHsm
beforeAll(async () => {
  process.env.DOJANG_DATA_DIR = join(userData, 'data')
  // A SoftHSM token named in the tokenModules setting: the app's token worker (a utility process) must find it.
  hsm = await createSoftHsm('bootstrap-token')
  process.env.SOFTHSM2_CONF = hsm.conf
  const inv = openInventory(join(userData, 'data'))
  inv.setSetting('tokenModules', [hsm.module])
  inv.close()
  await import('../../main/index')
  mock.fireReady()
  // Registration happens after whenReady and the services opening.
  await vi.waitFor(() => expect(recorded.windows.length).toBe(1), { timeout: 20_000 })
})
afterAll(async () => {
  for (const h of recorded.appHandlers.get('will-quit') ?? []) h()
  await hsm.cleanup()
  delete process.env.SOFTHSM2_CONF
  rmSync(userData, { recursive: true, force: true })
})

describe('the main window', () => {
  it('is sandboxed, isolated, without Node, with web security and the preload', () => {
    const prefs = recorded.windows[0]!.options.webPreferences as Record<string, unknown>
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.webviewTag).toBe(false)
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.js$/)
  })

  it('loads the local page from app://dojang, not file:// or remote content', () => {
    expect(recorded.windows[0]!.loaded).toEqual(['app://dojang/index.html'])
  })

  it('has no DevTools in the packaged app', () => {
    const prefs = recorded.windows[0]!.options.webPreferences as Record<string, unknown>
    expect(prefs.devTools).toBe(false)
    const wc = recorded.windows[0]!.webContents
    wc.emit('devtools-opened')
    expect(wc.devToolsClosed).toBe(1)
  })

  it('serves the renderer folder through a privileged app:// scheme with the CSP header, and nothing outside it', async () => {
    expect(recorded.privilegedSchemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }])
    const handler = recorded.protocolHandlers.get('app')!
    const index = await handler({ url: 'app://dojang/index.html' })
    expect(index.status).toBe(200)
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(await index.text()).toContain('<div id="root">')
    expect(rendererIndex).toMatch(/renderer[\\/]index\.html$/)
    // URL parsing already folds a plain ../ into the folder (then 404); encoded forms and other hosts are refused.
    for (const url of ['app://dojang/../package.json', 'app://dojang/%2e%2e/package.json']) expect((await handler({ url })).status, url).toBe(404)
    for (const url of ['app://dojang/..%2f..%2fpackage.json', 'app://evil/index.html', 'app://dojang/a%5c..%5c..%5cpackage.json', 'app://dojang/%00.html']) {
      expect((await handler({ url })).status, url).toBe(403)
    }
  })

  it('denies new windows and opens only allowlisted https pages in the browser', () => {
    const wc = recorded.windows[0]!.webContents
    expect(wc.windowOpenHandler!({ url: 'https://www.yessign.or.kr/' })).toEqual({ action: 'deny' })
    expect(recorded.opened).toEqual(['https://www.yessign.or.kr/'])
    for (const url of ['file:///etc/passwd', 'https://evil.example/', 'http://www.yessign.or.kr/', 'https://yessign.or.kr.evil.example/', 'https://user@www.yessign.or.kr/', 'smb://server/share']) {
      expect(wc.windowOpenHandler!({ url })).toEqual({ action: 'deny' })
    }
    expect(recorded.opened).toHaveLength(1)
  })

  it('blocks navigation away from its own page', () => {
    const wc = recorded.windows[0]!.webContents
    const nav = (url: string) => {
      let prevented = false
      wc.emit('will-navigate', { preventDefault: () => (prevented = true) }, url)
      return prevented
    }
    expect(nav('https://evil.example/')).toBe(true)
    expect(nav('file:///tmp/other.html')).toBe(true)
    expect(nav(`file://${rendererIndex}`)).toBe(true)
    expect(nav('app://dojang/../../etc/passwd')).toBe(true)
    expect(nav(ownPage)).toBe(false)
    let webviewBlocked = false
    wc.emit('will-attach-webview', { preventDefault: () => (webviewBlocked = true) })
    expect(webviewBlocked).toBe(true)
  })
})

describe('the session', () => {
  it('denies every permission request and check', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let answer: boolean | undefined
      recorded.permissionRequestHandler!({}, permission, (ok) => (answer = ok))
      expect(answer).toBe(false)
    }
    expect(recorded.permissionCheckHandler!()).toBe(false)
  })

  it("sends a strict Content-Security-Policy with every response", () => {
    let headers: Record<string, string[] | string> = {}
    recorded.headersHandler!({ responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => (headers = r.responseHeaders))
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY])
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'")
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline')
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval')
  })
})

describe('IPC registration', () => {
  it('registers exactly one handler per contract method', () => {
    expect([...recorded.ipcHandlers.keys()].sort()).toEqual(METHOD_NAMES.map(channelOf).sort())
  })

  it('refuses callers that are not Dojang’s page, for every method', async () => {
    for (const method of METHOD_NAMES) {
      const handler = recorded.ipcHandlers.get(channelOf(method))!
      for (const url of ['https://evil.example/', 'file:///tmp/evil.html', '', 'devtools://devtools/bundled/x.html']) {
        const r = (await handler({ senderFrame: { url } }, {})) as { ok: boolean; error?: { code: string } }
        expect(r.ok, `${method} from ${url}`).toBe(false)
        expect(r.error!.code).toBe('PERMISSION_DENIED')
      }
    }
  })

  it('validates payloads from the own page', async () => {
    const handler = recorded.ipcHandlers.get(channelOf('checkPassword'))!
    const bad = (await handler({ senderFrame: { url: ownPage } }, { location: 42 })) as { ok: boolean; error?: { code: string; message: string } }
    expect(bad.ok).toBe(false)
    expect(bad.error!.code).toBe('INVALID_INPUT')
    const extra = (await handler({ senderFrame: { url: ownPage } }, { location: '/x', password: 'p', evil: true })) as { ok: boolean; error?: { code: string } }
    expect(extra.error!.code).toBe('INVALID_INPUT')
    const ok = (await recorded.ipcHandlers.get(channelOf('getSettings'))!({ senderFrame: { url: ownPage } }, {})) as { ok: boolean; value?: { language: string } }
    expect(ok).toEqual({ ok: true, value: expect.objectContaining({ language: 'ko' }) })
  })

  it('never echoes a password in a validation error', async () => {
    const handler = recorded.ipcHandlers.get(channelOf('changePassword'))!
    const r = (await handler({ senderFrame: { url: ownPage } }, { locations: [], oldPassword: 'Secret-Old-1!', newPassword: 'x'.repeat(300) })) as { error: { message: string } }
    expect(JSON.stringify(r)).not.toContain('Secret-Old-1!')
  })
})

describe('services', () => {
  it('opens the inventory in the data folder shared with the CLI', () => {
    expect(existsSync(join(userData, 'data', 'inventory.db'))).toBe(true)
  })
})

describe('보안토큰', () => {
  it('runs the token worker in a utility process (tokenWorker.js beside the bundle) and lists the token', async () => {
    const r = (await recorded.ipcHandlers.get(channelOf('listTokens'))!({ senderFrame: { url: ownPage } }, {})) as {
      ok: boolean
      value: { module: string; tokens: { label: string; serial: string }[] }[]
    }
    expect(r.ok).toBe(true)
    expect(r.value.find((m) => m.module === hsm.module)?.tokens.map((t) => t.serial)).toContain(hsm.serial)
    expect(recorded.utilityForks.length).toBeGreaterThan(0)
    expect(recorded.utilityForks[0]!.modulePath).toMatch(/[\\/]tokenWorker\.js$/)
  })
})

describe('single instance', () => {
  it('focuses the existing window when a second instance starts', () => {
    expect(recorded.appHandlers.get('second-instance')).toHaveLength(1)
    expect(recorded.quitCalls).toBe(0)
  })
})
