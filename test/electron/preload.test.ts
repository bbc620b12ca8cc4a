import { describe, expect, it, vi } from 'vitest'
import { channelOf, EVENT_CHANNEL, METHOD_NAMES } from '../../common/methods'
import { makeElectronMock, recorded } from './electronMock'

vi.mock('electron', () => makeElectronMock('/nonexistent'))

describe('the preload bridge', () => {
  it('exposes one function per contract method plus subscribe, and nothing generic', async () => {
    await import('../../preload/index')
    const api = recorded.exposed.get('dojang') as Record<string, unknown>
    expect(Object.keys(api).sort()).toEqual([...METHOD_NAMES, 'subscribe'].sort())
    expect(Object.isFrozen(api)).toBe(true)
    for (const key of ['ipcRenderer', 'invoke', 'send', 'on']) expect(api[key]).toBeUndefined()
    expect(recorded.exposed.size).toBe(1)
  })

  it('sends each method on its own channel with the request only', async () => {
    const api = recorded.exposed.get('dojang') as Record<string, (r: unknown) => Promise<unknown>>
    await api.listCertificates!({ search: '홍' })
    expect(recorded.invoked.at(-1)).toEqual({ channel: channelOf('listCertificates'), args: [{ search: '홍' }] })
  })

  it('delivers events to subscribers and stops after unsubscribe', async () => {
    const api = recorded.exposed.get('dojang') as { subscribe(l: (e: unknown) => void): () => void }
    const seen: unknown[] = []
    const off = api.subscribe((e) => seen.push(e))
    const fire = (e: unknown) => (recorded.rendererListeners.get(EVENT_CHANNEL) ?? []).forEach((l) => l({ senderId: 0 }, e))
    fire({ type: 'inventoryChanged' })
    off()
    fire({ type: 'inventoryChanged' })
    expect(seen).toEqual([{ type: 'inventoryChanged' }])
  })
})
