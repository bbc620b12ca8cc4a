/**
 * 인증서 목록 on real certificate files: columns and D-day badges, tabs per medium, search, filters, sort,
 * multi-select with the mouse, keyboard navigation, live refresh when a USB drive arrives, and the empty state.
 */
import { cp, mkdir } from 'node:fs/promises'
import { COMMANDS } from '../../main/core/app/commands'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { tempDir } from '../support/fixtures'
import { expectCleanPage, latinWords, row, rowNames, rows, waitForRows } from './helpers'
import { fillInventory } from './synthetic'
import { launchBrowser, startTestHost } from './host'
import { HONG_DN, HONG_NAME, startWorld, type World } from './scenario'

const EXPIRED = 'HKD'

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

describe('with two certificates on the hard disk', () => {
  let w: World
  beforeEach(async () => {
    w = await startWorld({ browser })
    await waitForRows(w.host.page, 2)
  })
  afterEach(async () => {
    expectCleanPage(w.host)
    await w.close()
  })

  it('shows purpose, holder, expiry with a D-day badge, issuer and location, soonest expiry first', async () => {
    const page = w.host.page
    expect(await page.locator('#cert-grid [role=columnheader]').allTextContents()).toEqual(['선택', '구분', '사용자', '만료일', '발급기관', '위치'].map((s) => expect.stringContaining(s)))
    expect(await rowNames(page)).toEqual([EXPIRED, HONG_NAME])
    const hong = row(page, HONG_NAME)
    expect(await hong.locator('.cell-purpose').textContent()).toBe('은행·신용카드·보험용')
    // Dates are unambiguous: the Korean calendar date, year first.
    expect(await hong.locator('.cell-notAfter .date').textContent()).toBe('2044-12-27')
    expect(await hong.locator('.badge').getAttribute('class')).toContain('badge-ok')
    expect(await hong.locator('.badge [aria-hidden]').textContent()).toMatch(/^D-\d+$/)
    expect(await hong.locator('.cell-issuer').textContent()).toContain('testsignCA')
    // A known CA is shown by the name people know, and the column's tooltip holds the whole name when it is cut.
    expect(await row(page, EXPIRED).locator('.cell-issuer').textContent()).toBe('금융결제원')
    expect(await hong.locator('.cell-issuer').getAttribute('title')).toBe('testsignCA SYNTHETIC FIXTURE')
    expect(await hong.locator('.cell-location').textContent()).toContain('하드디스크')
    const expired = row(page, EXPIRED)
    expect(await expired.locator('.badge [aria-hidden]').textContent()).toBe('만료')
    expect(await expired.locator('.badge .sr-only').textContent()).toMatch(/일 전에 만료됨/)
    expect(await page.locator('[data-tab=all] .tab-count').textContent()).toBe('2')
    expect(await page.locator('[data-tab=disk] .tab-count').textContent()).toBe('2')
    expect(await page.locator('[data-tab=removable] .tab-count').textContent()).toBe('0')
    await w.host.screenshot('list-ko')
  })

  it('searches by name, issuer and serial, and filters expired / expiring', async () => {
    const page = w.host.page
    const search = page.locator('[data-input=search]')
    // Each search replaces a one-row result by another: wait for the names, not the count (the search is debounced,
    // so the previous row is still there for a moment).
    await search.fill('홍길동')
    await expect.poll(() => rowNames(page)).toEqual([HONG_NAME])
    await search.fill('YESSIGN')
    await expect.poll(() => rowNames(page)).toEqual([EXPIRED])
    await search.fill('3e9')
    await expect.poll(() => rowNames(page)).toEqual([HONG_NAME])
    await search.fill('')
    await waitForRows(page, 2)

    await page.locator('[data-filter=expired]').click()
    expect(await page.locator('[data-filter=expired]').getAttribute('aria-pressed')).toBe('true')
    await waitForRows(page, 1)
    expect(await rowNames(page)).toEqual([EXPIRED])
    await page.locator('[data-filter=expired]').click()
    await page.locator('[data-filter=expiring]').click()
    await waitForRows(page, 0)
    expect(await page.locator('.grid-empty').textContent()).toContain('조건에 맞는 인증서가 없습니다')
    await page.locator('.grid-empty button').click()
    await waitForRows(page, 2)
    expect(await page.locator('[data-filter=expiring]').getAttribute('aria-pressed')).toBe('false')

    await page.locator('[data-tab=removable]').click()
    expect(await page.locator('[data-tab=removable]').getAttribute('aria-selected')).toBe('true')
    await waitForRows(page, 0)
    // Arrow keys move between tabs (the ARIA tabs pattern).
    await page.keyboard.press('ArrowLeft')
    expect(await page.locator('[data-tab=disk]').getAttribute('aria-selected')).toBe('true')
    await waitForRows(page, 2)
  })

  it('sorts by each column, both ways, and says so with aria-sort', async () => {
    const page = w.host.page
    const header = (key: string) => page.locator(`#cert-grid [role=columnheader]:has([data-sort=${key}])`)
    expect(await header('notAfter').getAttribute('aria-sort')).toBe('ascending')
    await page.locator('[data-sort=notAfter]').click()
    expect(await header('notAfter').getAttribute('aria-sort')).toBe('descending')
    expect(await rowNames(page)).toEqual([HONG_NAME, EXPIRED])
    await page.locator('[data-sort=name]').click()
    expect(await header('name').getAttribute('aria-sort')).toBe('ascending')
    expect(await header('notAfter').getAttribute('aria-sort')).toBe('none')
    // The Korean collation puts Hangul before Latin letters.
    expect(await rowNames(page)).toEqual([HONG_NAME, EXPIRED])
    await page.locator('[data-sort=name]').click()
    expect(await rowNames(page)).toEqual([EXPIRED, HONG_NAME])
    await page.locator('[data-sort=issuer]').click()
    // Issuers sort by the name shown: 금융결제원 (yessign's Korean name) before the Latin testsignCA….
    expect(await rowNames(page)).toEqual([EXPIRED, HONG_NAME])
  })

  it('selects several rows with ctrl and shift clicks and the checkboxes', async () => {
    const page = w.host.page
    await row(page, EXPIRED).locator('.cell-issuer').click()
    expect(await row(page, EXPIRED).getAttribute('aria-selected')).toBe('true')
    expect(await row(page, HONG_NAME).getAttribute('aria-selected')).toBe('false')
    await row(page, HONG_NAME).locator('.cell-issuer').click({ modifiers: ['Control'] })
    expect(await page.locator('.selection-bar').textContent()).toContain('2개 선택됨')
    await row(page, HONG_NAME).locator('.cell-issuer').click()
    expect(await page.locator('[role=row][aria-selected=true]').count()).toBe(1)
    await row(page, EXPIRED).locator('.cell-issuer').click({ modifiers: ['Shift'] })
    expect(await page.locator('[role=row][aria-selected=true]').count()).toBe(2)
    await row(page, EXPIRED).locator('input[type=checkbox]').click()
    expect(await rowNames(page)).toEqual([EXPIRED, HONG_NAME])
    expect(await row(page, EXPIRED).getAttribute('aria-selected')).toBe('false')
    await page.locator('.selection-bar button.btn-ghost').click()
    expect(await page.locator('[role=row][aria-selected=true]').count()).toBe(0)
  })

  it('moves with the arrow keys, extends with shift, opens with Enter and asks before Delete', async () => {
    const page = w.host.page
    const grid = page.locator('#cert-grid')
    await grid.focus()
    await page.keyboard.press('ArrowDown')
    expect(await grid.getAttribute('aria-activedescendant')).toBe('cert-row-0')
    expect(await row(page, EXPIRED).getAttribute('aria-selected')).toBe('true')
    await page.keyboard.press('ArrowDown')
    expect(await grid.getAttribute('aria-activedescendant')).toBe('cert-row-1')
    expect(await row(page, EXPIRED).getAttribute('aria-selected')).toBe('false')
    expect(await row(page, HONG_NAME).getAttribute('aria-selected')).toBe('true')
    await page.keyboard.press('Shift+ArrowUp')
    expect(await page.locator('[role=row][aria-selected=true]').count()).toBe(2)
    await page.keyboard.press('End')
    await w.host.screenshot('list-keyboard')

    // Delete asks first, listing every copy that would go; Esc leaves everything in place.
    await page.keyboard.press('Delete')
    const confirm = page.locator('dialog[open][data-dialog=delete]')
    await confirm.waitFor()
    expect(await confirm.locator('.delete-cert').count()).toBe(1)
    expect(await confirm.locator('code.path').textContent()).toBe(w.hongFolder)
    await page.keyboard.press('Escape')
    await confirm.waitFor({ state: 'detached' })
    await waitForRows(page, 2)

    await grid.focus()
    await page.keyboard.press('Home')
    await page.keyboard.press('Enter')
    await page.locator('[data-screen=detail] h1').waitFor()
    expect(await page.locator('[data-screen=detail] h1').textContent()).toBe(EXPIRED)
    // Back keeps the list as it was, with the focus on it so the arrow keys go on working.
    await page.locator('[data-action=back]').click()
    await page.locator('[data-screen=list]:not([hidden])').waitFor()
    expect(await row(page, EXPIRED).getAttribute('aria-selected')).toBe('true')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('cert-grid')
    await page.keyboard.press('ArrowDown')
    expect(await row(page, HONG_NAME).getAttribute('aria-selected')).toBe('true')
  })

  it('finds a certificate on a USB drive plugged in later (다시 찾기) and refreshes on events', async () => {
    const page = w.host.page
    // The drive arrives with a copy of 홍길동's certificate in its top-level NPKI folder.
    const stick = join(w.dir, 'stick2')
    await cp(w.hongFolder, join(stick, 'NPKI', 'testsign', 'USER', HONG_DN), { recursive: true })
    w.host.removableRoots = [...w.host.removableRoots, stick]
    await w.host.mediaChanged()
    await page.locator('[data-action=rescan]').click()
    await expect.poll(() => page.locator('[data-tab=removable] .tab-count').textContent(), { timeout: 15_000 }).toBe('1')
    expect(await page.locator('[data-op=scan][data-op-state=done]').textContent()).toMatch(/찾기 완료/)
    expect(await row(page, HONG_NAME).locator('.cell-location').textContent()).toContain('이동식디스크')
    expect(await row(page, HONG_NAME).locator('.copy-count').textContent()).toBe('2곳')
    expect(w.host.events.some((e) => e.type === 'operation' && e.operation.kind === 'scan' && e.operation.state === 'finished')).toBe(true)

    // A change made behind the page's back shows up on inventoryChanged alone.
    await COMMANDS.deleteCopy(w.host.core, { location: w.pypinkFolder })
    w.host.emit({ type: 'inventoryChanged' })
    await waitForRows(page, 1)
  })

  it('shows scan progress from operation events, and its cancel button stops that operation', async () => {
    const page = w.host.page
    w.host.emit({ type: 'operation', operation: { id: 77, kind: 'scan', state: 'running', step: 'walk', detail: { foldersVisited: 12, certificatesFound: 3, problems: 0 } } })
    const bar = page.locator('[data-op=scan][data-op-state=running]')
    await bar.waitFor()
    expect(await bar.textContent()).toContain('폴더 12개 확인, 인증서 3개 찾음')
    expect(await bar.locator('progress').getAttribute('aria-label')).toBe('인증서를 찾는 중')
    expect(await page.locator('[data-action=rescan]').isDisabled()).toBe(true)
    await bar.locator('button').click()
    await expect.poll(() => w.host.calls.filter((c) => c.method === 'cancelOperation').length).toBe(1)
    w.host.emit({ type: 'operation', operation: { id: 77, kind: 'scan', state: 'cancelled', step: 'walk', detail: { foldersVisited: 12, certificatesFound: 3, problems: 0 } } })
    await page.locator('[data-op=scan][data-op-state=done]').filter({ hasText: '찾기를 멈췄습니다' }).waitFor()
    expect(await page.locator('[data-action=rescan]').isDisabled()).toBe(false)
  })

  it('windows a long list: few rows in the DOM, the keyboard still reaches the last one', async () => {
    const page = w.host.page
    fillInventory(w.host.core.inventory, 3000)
    w.host.emit({ type: 'inventoryChanged' })
    await expect.poll(() => page.locator('#cert-grid').getAttribute('aria-rowcount'), { timeout: 10_000 }).toBe('3003')
    const inDom = await rows(page).count()
    expect(inDom).toBeGreaterThan(10)
    expect(inDom).toBeLessThan(60)
    await page.locator('#cert-grid').focus()
    await page.keyboard.press('End')
    expect(await page.locator('#cert-grid').getAttribute('aria-activedescendant')).toBe('cert-row-3001')
    expect(await page.locator('#cert-row-3001').getAttribute('aria-selected')).toBe('true')
    expect(await page.locator('#cert-row-3001').getAttribute('aria-rowindex')).toBe('3003')
    await page.keyboard.press('PageUp')
    expect(Number((await page.locator('#cert-grid').getAttribute('aria-activedescendant'))?.slice(9))).toBeLessThan(3001)
    await page.locator('[data-input=search]').fill('김민준 12')
    // Holders named "김민준 <i>" are every 12th record; those whose number starts with 12.
    const expected = Array.from({ length: 3000 }, (_, i) => i).filter((i) => i % 12 === 0 && String(i).startsWith('12')).length
    await expect.poll(() => page.locator('[data-count]').getAttribute('data-count')).toBe(String(expected))
  })
})

describe('on start, before any scan', () => {
  it('shows the inventory from SQLite at once; while a scan runs the media say 확인 중…, and the list updates when it ends', async () => {
    // The inventory of an earlier session (scanned then, not now); the page loads without any scan running.
    const w = await startWorld({ browser, scanFirst: false, beforeLoad: async (core) => void (await core.scans.scan({})) })
    try {
      const page = w.host.page
      await waitForRows(page, 2)
      // Nothing waited for a scan: the page asked for the list, and no scan was started or reported.
      expect(w.host.calls.map((c) => c.method)).toContain('listCertificates')
      expect(w.host.calls.some((c) => c.method === 'startScan')).toBe(false)
      expect(w.host.events.some((e) => e.type === 'operation')).toBe(false)
      expect(await page.locator('.tab-checking').count()).toBe(0)

      // Meanwhile a copy appears on the USB drive; the list is the last known state until a scan confirms it.
      await cp(w.hongFolder, join(w.usbRoot, 'testsign', 'USER', HONG_DN), { recursive: true })
      w.host.emit({ type: 'operation', operation: { id: 500, kind: 'scan', state: 'running', step: 'walk', detail: { foldersVisited: 1, certificatesFound: 0, problems: 0 } } })
      await expect.poll(() => page.locator('[data-tab=removable] .tab-checking').textContent()).toBe('확인 중…')
      expect(await page.locator('.tab-checking').count()).toBe(4) // disk, USB, 키체인, 보안토큰
      expect(await page.locator('#cert-grid').getAttribute('aria-busy')).toBe('true')
      expect(await page.locator('[data-tab=removable] .tab-count').textContent()).toBe('0')
      await w.host.screenshot('list-checking-ko')
      w.host.emit({ type: 'operation', operation: { id: 500, kind: 'scan', state: 'cancelled', step: 'walk', detail: { foldersVisited: 1, certificatesFound: 0, problems: 0 } } })
      await expect.poll(() => page.locator('.tab-checking').count()).toBe(0)

      // A real scan: the rows update when it finishes, and the media are no longer "being checked".
      await page.locator('[data-action=rescan]').click()
      await expect.poll(() => page.locator('[data-tab=removable] .tab-count').textContent(), { timeout: 15_000 }).toBe('1')
      await page.locator('[data-op=scan][data-op-state=done]').filter({ hasText: '찾기 완료' }).waitFor()
      expect(await page.locator('.tab-checking').count()).toBe(0)
      expect(await page.locator('#cert-grid').getAttribute('aria-busy')).toBe('false')
      expectCleanPage(w.host)
    } finally {
      await w.close()
    }
  })
})

describe('with nothing found', () => {
  it('explains where certificates usually are and offers 찾기 and 가져오기', async () => {
    const tmp = await tempDir('dojang-e2e-empty-')
    const root = join(tmp.dir, 'NPKI')
    await mkdir(root)
    const host = await startTestHost({ roots: [root], dataDir: join(tmp.dir, 'data'), browser })
    try {
      const page = host.page
      const empty = page.locator('[data-empty=inventory]')
      await empty.waitFor()
      const text = (await empty.textContent()) ?? ''
      expect(text).toContain('AppData\\LocalLow\\NPKI')
      expect(text).toContain('~/Library/Preferences/NPKI')
      expect(text).toContain('최상단')
      expect(await latinWords(page)).toEqual([])
      await host.screenshot('list-empty')
      await page.locator('[data-action=empty-scan]').click()
      await page.locator('[data-op=scan][data-op-state=done]').waitFor({ timeout: 15_000 })
      await page.locator('[data-action=empty-import]').click()
      await page.locator('dialog[open][data-dialog=import]').waitFor()
      await page.keyboard.press('Escape')
      expectCleanPage(host)
    } finally {
      await host.close()
      await tmp.cleanup()
    }
  })
})
