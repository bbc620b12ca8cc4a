/**
 * Korean all the way: every screen and dialog, walked in Korean, says nothing in English or in internal names.
 * Latin words are allowed only where Korean bank pages use them too (PFX, USB, D-30, SEED, file names…, see
 * latinWords in helpers.ts); data (names, paths, serials, DNs) is marked as such and left out. A screenshot of each
 * screen lands in test-results/e2e/ko-*.png.
 */
import { cp } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { configureTransfer } from '../../main/core/app/transferSessions'
import { dialog, fill, latinWords, openDetail } from './helpers'
import { HONG_DN, HONG_NAME, worldPerTest, type World } from './scenario'

let w: World
// Phone sessions listen on 127.0.0.1 only (never on this machine's real network).
worldPerTest((world) => (w = world), { beforeLoad: (core) => configureTransfer(core, { networks: () => [{ interface: 'test', address: '127.0.0.1', private: true }], advertiseHost: 'dojang-desktop.test' }) })

describe('in Korean', () => {
  it('shows no English and no internal names on any screen or dialog', async () => {
    const page = w.host.page
    const seen: Record<string, string[]> = {}
    const check = async (name: string) => {
      // Holder names are data, also inside labels ("HKD 선택").
      seen[name] = await latinWords(page, ['HKD'])
      await w.host.screenshot(`ko-${name}`)
    }

    // 인증서 목록, after a scan that found a second copy on the USB drive (findings, the finished scan bar).
    await cp(w.hongFolder, join(w.usbRoot, 'testsign', 'USER', HONG_DN), { recursive: true })
    await page.locator('[data-action=rescan]').click()
    await page.locator('[data-op=scan][data-op-state=done]').waitFor({ timeout: 15_000 })
    await page.locator(`#cert-grid [role=row][data-name="${HONG_NAME}"] .cell-issuer`).click()
    await page.locator('.selection-bar').waitFor()
    await check('list')
    w.host.emit({ type: 'operation', operation: { id: 990, kind: 'scan', state: 'running', step: 'walk', detail: { foldersVisited: 3, certificatesFound: 1, problems: 0 } } })
    await page.locator('.tab-checking').first().waitFor()
    await check('list-scanning')
    w.host.emit({ type: 'operation', operation: { id: 990, kind: 'scan', state: 'finished', step: 'walk', detail: { foldersVisited: 3, certificatesFound: 1, problems: 0 } } })

    await page.locator('[data-action=import]').click()
    await dialog(page, 'import').waitFor()
    await check('import')
    await page.keyboard.press('Escape')

    await page.locator('[data-action=open-issue]').click()
    await dialog(page, 'issue').waitFor()
    await check('issue')
    await page.keyboard.press('Escape')

    // 상세 with its findings and the DN opened, then every dialog on it.
    await openDetail(page, HONG_NAME)
    await page.locator('[data-action=show-dn]').click()
    await check('detail')
    for (const [action, name] of [
      ['change-password', 'change-password'],
      ['copy', 'copy'],
      ['export', 'export'],
      ['delete', 'delete'],
      ['renew', 'renew'],
      ['revoke', 'revoke'],
    ] as const) {
      await page.locator(`[data-screen=detail] [data-action=${action}]`).click()
      const dlg = dialog(page, name)
      await dlg.waitFor()
      if (name === 'change-password') {
        await dlg.locator('input[name=all-copies]').check()
        await fill(page, dlg, 'new-password', 'abc1')
        await fill(page, dlg, 'confirm-password', 'abc')
      }
      await check(name)
      await page.keyboard.press('Escape')
      await dlg.waitFor({ state: 'detached' })
    }
    // 휴대폰으로 복사: the QR with its countdown, then a phone's claim (as the session reports it), then cancel.
    const lastOp = (kind: 'share' | 'receive') => {
      const ops = w.host.events.flatMap((e) => (e.type === 'operation' && e.operation.kind === kind ? [e.operation] : []))
      return ops[ops.length - 1]!.id
    }
    const phoneUa = 'Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36'
    await page.locator('[data-screen=detail] [data-action=to-phone]').click()
    await page.locator('[data-form=phone-setup]').waitFor()
    await check('phone-setup')
    await page.locator('input[name=share-format][value=npki]').check()
    await page.locator('[data-action=start-transfer]').click()
    await page.locator('img.phone-qr').waitFor()
    await check('phone-share')
    w.host.emit({ type: 'operation', operation: { id: lastOp('share'), kind: 'share', state: 'running', step: 'claimed', detail: { code: '482193', address: '192.0.2.10', userAgent: phoneUa } } })
    await page.locator('.phone-code').waitFor()
    await check('phone-claimed')
    await page.locator('[data-action=cancel-transfer]').click()
    await expect.poll(() => page.locator('.phone-transfer').getAttribute('data-phase')).toBe('cancelled')
    await check('phone-cancelled')
    await page.locator('.phone-transfer .actions .btn:not(.btn-primary)').last().click()
    await page.locator('[data-screen=detail]').waitFor()
    await page.locator('[data-action=back]').click()
    // 휴대폰에서 가져오기: the QR, then the file-arrived form.
    await page.locator('[data-action=from-phone]').click()
    await page.locator('[data-action=start-transfer]').click()
    await page.locator('img.phone-qr').waitFor()
    await check('phone-receive')
    w.host.emit({ type: 'operation', operation: { id: lastOp('receive'), kind: 'receive', state: 'running', step: 'file-arrived', detail: { name: '홍길동.p12', kind: 'pfx', certificates: 1 } } })
    await page.locator('[data-form=phone-import]').waitFor()
    await expect.poll(async () => (await page.locator('[data-form=phone-import] input[type=radio]').count()) > 0).toBe(true)
    await check('phone-import')
    await page.locator('[data-form=phone-import] [data-action=cancel-transfer]').click()
    await expect.poll(() => page.locator('.phone-transfer').getAttribute('data-phase')).toBe('cancelled')
    await page.locator('.phone-transfer .actions .btn:not(.btn-primary)').last().click()
    await openDetail(page, 'HKD')
    await check('detail-expired')

    // 휴지통 and 기록, with an entry each.
    await w.host.handlers.deleteCopy({ location: join(w.usbRoot, 'testsign', 'USER', HONG_DN) })
    await page.locator('[data-nav=trash]').click()
    await page.locator(`[data-screen=trash] tr[data-name="${HONG_NAME}"]`).waitFor()
    await check('trash')
    await page.locator('[data-nav=history]').click()
    await page.locator('[data-screen=history] tr[data-audit-action=delete]').waitFor()
    await check('history')
    await page.locator('[data-nav=settings]').click()
    await page.locator('[data-screen=settings] .settings').waitFor()
    await expect.poll(async () => (await page.locator('.media-list li').count()) > 0).toBe(true)
    await check('settings')

    // The check itself sees English when there is some: the same screen in English is full of it.
    await page.locator('[data-action=switch-language]').click()
    await expect.poll(async () => (await latinWords(page, ['HKD'])).length).toBeGreaterThan(10)

    expect(Object.keys(seen)).toHaveLength(21)
    for (const [screen, words] of Object.entries(seen)) expect({ screen, words }).toEqual({ screen, words: [] })
  })
})
