/**
 * The keychain medium through the UI, on a real Secret Service (gnome-keyring on a private D-Bus): copy a
 * certificate into 키체인, see it in the keychain tab, change its password there, and check the result through the
 * real handlers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSecretService, type SecretService } from '../support/secretService'
import { dialog, fill, NEW_PASSWORD, openDetail, waitForRows } from './helpers'
import { FIXTURE_PASSWORD, HONG_NAME, VECTORS, worldPerTest, type World } from './scenario'

let ss: SecretService
beforeAll(async () => {
  ss = await startSecretService()
  ss.useInThisProcess()
})
afterAll(() => ss?.stop())

let w: World
worldPerTest((world) => (w = world), { keychain: true, withUsb: false })

describe('키체인', () => {
  it('copies a certificate into the keychain and changes its password there', async () => {
    const page = w.host.page
    await openDetail(page, HONG_NAME)
    await page.locator('[data-action=copy]').click()
    const dlg = dialog(page, 'copy')
    const keychain = dlg.locator('input[data-medium=keychain]')
    await keychain.waitFor()
    await keychain.check()
    await dlg.locator('[data-action=confirm-copy]').click()
    await dlg.waitFor({ state: 'detached' })

    // The keychain holds it: in the inventory, in the OS keychain, and in the page's keychain tab.
    const inKeychain = await w.host.handlers.listCertificates({ medium: 'keychain' })
    expect(inKeychain.map((c) => c.name)).toEqual([HONG_NAME])
    const location = inKeychain[0]!.copies.find((c) => c.medium === 'keychain')!.location
    expect(ss.secretTool(['search', '--all', 'service', 'Dojang']).stdout).toContain(`bundle/${location.slice('keychain:'.length)}`)
    await page.locator('[data-nav=list]').click()
    await expect.poll(() => page.locator('[data-tab=keychain]').textContent()).toContain('1')
    await page.locator('[data-tab=keychain]').click()
    await waitForRows(page, 1)
    await w.host.screenshot('keychain-tab-ko')

    // Change the password of the keychain copy only.
    await openDetail(page, HONG_NAME)
    await page.locator(`[data-screen=detail] [data-copy="${location}"] input[type=radio]`).check()
    await page.locator('[data-action=change-password]').click()
    const pw = dialog(page, 'change-password')
    await fill(page, pw, 'current-password', FIXTURE_PASSWORD)
    await fill(page, pw, 'new-password', NEW_PASSWORD)
    await fill(page, pw, 'confirm-password', NEW_PASSWORD)
    await pw.locator('[data-action=confirm-password]').click()
    const changedAt = w.host.events.length
    await pw.waitFor({ state: 'detached' })
    const now = (await w.host.handlers.listCertificates({ medium: 'keychain' }))[0]!.copies.find((c) => c.medium === 'keychain')!.location
    // The copy keeps its place, the change is announced, and the page (not reloaded) works on with it.
    expect(now).toBe(location)
    await expect.poll(() => w.host.events.slice(changedAt).some((e) => e.type === 'inventoryChanged')).toBe(true)
    const copyRow = page.locator(`[data-screen=detail] [data-copy="${location}"] input[type=radio]`)
    await copyRow.check()
    const vid = page.locator('[data-panel=vid]')
    await fill(page, vid, 'vid-password', NEW_PASSWORD)
    await fill(page, vid, 'vid-idn', VECTORS.idn)
    await vid.locator('[data-action=verify-vid]').click()
    await vid.locator('[data-vid=match]').waitFor()
    expect((await w.host.handlers.checkPassword({ location: now, password: NEW_PASSWORD })).ok).toBe(true)
    await expect(w.host.handlers.checkPassword({ location: w.hongFolder, password: FIXTURE_PASSWORD })).resolves.toMatchObject({ ok: true })
  })
})
