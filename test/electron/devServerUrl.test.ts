/**
 * Issue 11 defect 6: ELECTRON_RENDERER_URL is trusted only while developing. In a packaged app (the mock's default)
 * the variable is ignored: the window loads app://dojang, navigation to the URL is blocked and IPC from it refused.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { channelOf } from '../../common/methods'
import { makeElectronMock, recorded } from './electronMock'

const userData = mkdtempSync(join(tmpdir(), 'dojang-electron-'))
const mock = makeElectronMock(userData)
vi.mock('electron', () => mock)
const hostile = 'http://127.0.0.1:5173/'

beforeAll(async () => {
  process.env.DOJANG_DATA_DIR = join(userData, 'data')
  process.env.ELECTRON_RENDERER_URL = hostile
  await import('../../main/index')
  mock.fireReady()
  await vi.waitFor(() => expect(recorded.windows.length).toBe(1), { timeout: 20_000 })
})
afterAll(() => {
  delete process.env.ELECTRON_RENDERER_URL
  rmSync(userData, { recursive: true, force: true })
})

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
