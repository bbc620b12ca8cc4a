/**
 * Issue 11 defect 6: ELECTRON_RENDERER_URL is trusted only while developing. In a packaged app (the mock's default)
 * the variable is ignored: the window loads app://dojang, navigation to the URL is blocked and IPC from it refused.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { channelOf } from '../../common/methods'
import { bootWithRendererUrl, makeElectronMock, recorded } from './electronMock'

const userData = mkdtempSync(join(tmpdir(), 'dojang-electron-'))
const mock = makeElectronMock(userData)
vi.mock('electron', () => mock)
const hostile = 'http://127.0.0.1:5173/'

bootWithRendererUrl(mock, userData, hostile)

describe('a packaged app with ELECTRON_RENDERER_URL set', () => {
  it('loads its own page, not the URL from the environment', () => {
    expect(recorded.windows[0]!.loaded).toEqual(['app://dojang/index.html'])
  })

  it('blocks navigation to that URL', () => {
    let prevented = false
    recorded.windows[0]!.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, hostile)
    expect(prevented).toBe(true)
  })

  it('refuses IPC from a page at that URL', async () => {
    const r = (await recorded.ipcHandlers.get(channelOf('getSettings'))!({ senderFrame: { url: hostile } }, {})) as { ok: boolean; error?: { code: string } }
    expect(r.ok).toBe(false)
    expect(r.error!.code).toBe('PERMISSION_DENIED')
  })
})
