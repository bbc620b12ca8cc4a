/** While developing (not packaged) the electron-vite dev server is the page, with DevTools; a remote URL never is. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { channelOf } from '../../common/methods'
import { trustedPage } from '../../main/security'
import { bootWithRendererUrl, makeElectronMock, recorded } from './electronMock'

const userData = mkdtempSync(join(tmpdir(), 'dojang-electron-'))
const mock = makeElectronMock(userData)
;(mock.app as { isPackaged: boolean }).isPackaged = false
vi.mock('electron', () => mock)
const dev = 'http://localhost:5173/'

bootWithRendererUrl(mock, userData, dev)

describe('development mode', () => {
  it('loads the dev server and trusts its IPC; DevTools are available', async () => {
    expect(recorded.windows[0]!.loaded).toEqual([dev])
    expect((recorded.windows[0]!.options.webPreferences as Record<string, unknown>).devTools).toBe(true)
    const r = (await recorded.ipcHandlers.get(channelOf('getSettings'))!({ senderFrame: { url: `${dev}#/list` } }, {})) as { ok: boolean }
    expect(r.ok).toBe(true)
  })

  it('never trusts a dev server URL that is not on this machine', () => {
    expect(trustedPage('https://evil.example/')('https://evil.example/')).toBe(false)
    expect(trustedPage('http://localhost:5173/')('http://localhost:5174/')).toBe(false)
    expect(trustedPage(undefined)('app://dojang/index.html')).toBe(true)
    expect(trustedPage(undefined)('app://dojang/other.html')).toBe(false)
    expect(trustedPage(undefined)('app://evil/index.html')).toBe(false)
  })
})
