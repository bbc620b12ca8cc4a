/**
 * The test transport itself: window.dojang has exactly the contract's methods plus subscribe (as the preload
 * builds it), bytes survive the trip both ways, unknown methods are refused, and events reach subscribers.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { METHOD_NAMES } from '../../common/methods'
import { fromWire, toWire } from './transport'
import { launchBrowser } from './host'
import { startWorld, type World } from './scenario'

describe('wire format', () => {
  it('round-trips nested Uint8Array values and leaves plain JSON untagged', () => {
    const value = { a: [1, { bytes: new Uint8Array([0, 1, 254, 255]) }], s: 'text' }
    const wire = toWire(value)
    expect(wire[0]).toBe('b')
    const back = fromWire(wire) as { a: [number, { bytes: Uint8Array }]; s: string }
    expect(back.a[1].bytes).toBeInstanceOf(Uint8Array)
    expect([...back.a[1].bytes]).toEqual([0, 1, 254, 255])
    expect(toWire({ x: 1 })).toBe('j{"x":1}')
  })
})

describe('in the page', () => {
  let browser: Browser
  let w: World
  beforeAll(async () => {
    browser = await launchBrowser()
    w = await startWorld({ browser })
  })
  afterAll(async () => {
    await w?.close()
    await browser?.close()
  })

  it('exposes one function per contract method and subscribe, frozen, like the preload', async () => {
    const keys = (await w.host.page.evaluate('Object.keys(window.dojang).sort()')) as string[]
    expect(keys).toEqual([...METHOD_NAMES, 'subscribe'].sort())
    expect(await w.host.page.evaluate('Object.isFrozen(window.dojang)')).toBe(true)
  })

  it('runs calls through invokeMethod (validation included) and delivers events to subscribers', async () => {
    const page = w.host.page
    const bad = (await page.evaluate(`window.dojang.getCertificate({ id: '' })`)) as { ok: boolean; error: { code: string } }
    expect(bad.ok).toBe(false)
    expect(bad.error.code).toBe('INVALID_INPUT')
    const unknown = (await page.evaluate(`window.__dojangInvoke('rm -rf', 'j{}').then((w) => JSON.parse(w.slice(1)))`)) as { ok: boolean }
    expect(unknown.ok).toBe(false)
    await page.evaluate(`window.__seen = []; window.dojang.subscribe((e) => window.__seen.push(e.type))`)
    w.host.emit({ type: 'inventoryChanged' })
    await expect.poll(() => page.evaluate('window.__seen')).toEqual(['inventoryChanged'])
  })

  it('shows an expiry reminder as a toast', async () => {
    const page = w.host.page
    w.host.emit({ type: 'expiryReminder', certificateId: 'x', name: '홍길동', daysLeft: 7 })
    await page.locator('.toasts [data-toast]').filter({ hasText: '홍길동 님의 인증서가 7일 뒤 만료됩니다' }).waitFor()
  })
})
