// 보안토큰 through the real screens against a SoftHSM2 token: copy into the token from the copy dialog (PIN and
// password asked), the 보안토큰 tab lists the token copy, the detail screen explains what a token copy cannot do, the
// PIN change and permanent delete dialogs work, and every one of them is in Korean.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forkWorker } from '../../main/core/stores/token'
import { createSoftHsm, type SoftHsm } from '../support/softhsm'
import { dialog, fill, latinWords, openDetail, toast } from './helpers'
import { FIXTURE_PASSWORD, HONG_NAME, worldPerTest, type World } from './scenario'

const PIN = '482615'
let hsm: SoftHsm
beforeAll(async () => {
  hsm = await createSoftHsm('e2e-token', PIN)
})
afterAll(() => hsm.cleanup())

let w: World
worldPerTest((world) => (w = world), {
  get tokens() {
    return { spawn: forkWorker({ env: hsm.env }), modules: [hsm.module], configFile: '/nonexistent/npki_pkcs11.cnf' }
  },
})

describe('보안토큰 in the app', () => {
  it('copies into the token with the PIN, lists it in the 보안토큰 tab, explains the limits, changes the PIN and deletes for good', async () => {
    const page = w.host.page
    await openDetail(page, HONG_NAME)
    await page.locator('[data-screen=detail] [data-action=copy]').click()
    const copy = dialog(page, 'copy')
    await copy.waitFor()
    await copy.locator('label.target', { hasText: 'e2e-token' }).locator('input').check()
    await copy.locator('input[name=token-pin]').waitFor()
    expect(await latinWords(page, ['HKD', 'e2e-token', 'PIN'])).toEqual([])
    await fill(page, copy, 'token-pin', PIN)
    await fill(page, copy, 'cert-password', FIXTURE_PASSWORD)
    await copy.locator('[data-action=confirm-copy]').click()
    await toast(page).first().waitFor()
    await copy.waitFor({ state: 'detached' })
    const calls = JSON.stringify(w.host.calls)
    expect(calls).not.toContain(PIN)

    // The 보안토큰 tab lists the certificate once the list is refreshed.
    await page.locator('[data-action=back]').click()
    await page.locator('[data-action=rescan]').click()
    await page.locator('[data-op=scan][data-op-state=done]').waitFor({ timeout: 30_000 })
    await page.locator('#tab-token').click()
    await expect.poll(() => page.locator('#cert-grid [role=row][data-id]').count(), { timeout: 15_000 }).toBe(1)
    // The tab names the connected token with its slot and PIN state (SoftHSM: PIN fine), in Korean.
    const strip = page.locator('.token-strip li[data-pin-state]')
    await strip.first().waitFor()
    expect(await strip.count()).toBe(1)
    expect(await strip.first().getAttribute('data-pin-state')).toBe('ok')
    expect(await strip.first().textContent()).toMatch(/e2e-token.*슬롯 .*PIN 정상/)
    expect(await latinWords(page, ['HKD', 'e2e-token', 'PIN'])).toEqual([])

    // On the detail screen, the token copy: no copy out, a note, PIN change and permanent delete.
    await openDetail(page, HONG_NAME)
    const tokenCopy = page.locator('[data-screen=detail] input[type=radio]').last()
    await tokenCopy.check()
    await page.locator('[data-field=token-note]').waitFor()
    expect(await page.locator('[data-screen=detail] [data-action=copy]').isDisabled()).toBe(true)
    expect(await latinWords(page, ['HKD', 'e2e-token', 'PIN'])).toEqual([])

    await page.locator('[data-screen=detail] [data-action=change-pin]').click()
    const pinDlg = dialog(page, 'change-pin')
    await pinDlg.waitFor()
    expect(await latinWords(page, ['HKD', 'e2e-token', 'PIN'])).toEqual([])
    await fill(page, pinDlg, 'old-pin', PIN)
    await fill(page, pinDlg, 'new-pin', '739152')
    await fill(page, pinDlg, 'new-pin-again', '739152')
    await pinDlg.locator('[data-action=confirm-change-pin]').click()
    await pinDlg.waitFor({ state: 'detached' })

    await page.locator('[data-screen=detail] [data-action=delete]').click()
    const del = dialog(page, 'token-delete')
    await del.waitFor()
    expect(await latinWords(page, ['HKD', 'e2e-token', 'PIN'])).toEqual([])
    await fill(page, del, 'token-pin', '739152')
    expect(await del.locator('[data-action=confirm-token-delete]').isDisabled()).toBe(true)
    await del.locator('input[name=permanent]').check()
    await del.locator('[data-action=confirm-token-delete]').click()
    await del.waitFor({ state: 'detached' })
    const [mod] = await w.host.handlers.listTokens({})
    expect((mod as { tokens: { certificates: unknown[] }[] }).tokens[0]!.certificates).toEqual([])
  })
})
