/**
 * 발급 → 갱신 → 폐지 through the real screens against OpenSSL's CMP mock (behind the test CA front, which issues
 * for the key the app generated). The host runs the real handler table; the CA profile is in its core's settings.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { COMMANDS } from '../../main/core/app/commands'
import { decryptPrivateKey } from '../../main/core/npki/privateKey'
import { certFolders, dialog, fill, NEW_PASSWORD, toast } from './helpers'
import { worldPerTest, type World } from './scenario'
import { useTestCa } from '../support/testCa'

const REF = '12345678'
const AUTH = 'ABCD-EFGH-1234'

const ca = useTestCa({ ref: REF, auth: AUTH })

let w: World
worldPerTest((world) => (w = world))

describe('발급, 갱신, 폐지 screens', () => {
  it('issues onto the USB drive, offers a second copy, renews from the details, revokes into the trash', async () => {
    const page = w.host.page
    await COMMANDS.addCaProfile(w.host.core, { profile: { name: '테스트 CA', transport: 'http', url: ca.front.url, caCert: ca.pki.caCertPem } })

    // ---- 발급: a wrong 인가코드 first (nothing written), then the right one ----
    await page.locator('[data-action=open-issue]').click()
    const dlg = dialog(page, 'issue')
    await dlg.waitFor()
    await dlg.locator(`input[data-medium=removable]`).check()
    await fill(page, dlg, 'reference-number', REF)
    await fill(page, dlg, 'auth-code', 'WRONG-CODE-99')
    await fill(page, dlg, 'new-password', NEW_PASSWORD)
    await fill(page, dlg, 'confirm-password', NEW_PASSWORD)
    await dlg.locator('[data-action=confirm-issue]').click()
    await dlg.locator('.error-box, [role=alert]').filter({ hasText: '참조번호나 인가코드' }).first().waitFor({ timeout: 60_000 })
    expect(await certFolders(w.usbRoot)).toEqual([])
    await fill(page, dlg, 'auth-code', AUTH)
    await fill(page, dlg, 'new-password', NEW_PASSWORD)
    await fill(page, dlg, 'confirm-password', NEW_PASSWORD)
    await dlg.locator('[data-action=confirm-issue]').click()
    // The second-copy offer is the copy dialog, opened on the new certificate.
    await dialog(page, 'copy').waitFor({ timeout: 60_000 })
    await toast(page).filter({ hasText: '발급받았습니다' }).waitFor()
    const [folder] = await certFolders(w.usbRoot)
    expect(folder).toBeDefined()
    const cert1 = new Uint8Array(readFileSync(join(folder!, 'signCert.der')))
    expect(decryptPrivateKey(new Uint8Array(readFileSync(join(folder!, 'signPri.key'))), NEW_PASSWORD).info.randomNum).toHaveLength(20)
    await dialog(page, 'copy').locator('[data-action=confirm-copy]').click()
    await dialog(page, 'copy').waitFor({ state: 'detached' })
    const copies = await certFolders(w.diskRoot)
    expect(copies.length).toBe(3) // 홍길동, PyPinkSign and the second copy of the new certificate

    // ---- 갱신 from the details screen, every copy ----
    await page.locator('#cert-grid [role=row][data-name="홍길동"]').first().waitFor()
    const newRow = page.locator('#cert-grid [role=row]').filter({ hasText: 'Dojang Test' }).first()
    await newRow.locator('.link-button').click()
    await page.locator('[data-screen=detail] h1').waitFor()
    await page.locator('[data-action=renew]').click()
    const renew = dialog(page, 'renew')
    await fill(page, renew, 'password', NEW_PASSWORD)
    await renew.locator('[data-action=confirm-renew]').click()
    await toast(page).filter({ hasText: '갱신했습니다' }).waitFor({ timeout: 60_000 })
    const cert2 = new Uint8Array(readFileSync(join(folder!, 'signCert.der')))
    expect(cert2).not.toEqual(cert1)
    const diskCopy = (await certFolders(w.diskRoot)).find((f) => !f.includes('testsign') && !f.includes('yessign'))!
    expect(new Uint8Array(readFileSync(join(diskCopy, 'signCert.der')))).toEqual(cert2)

    // ---- 폐지 ----
    await page.locator('[data-action=revoke]').click()
    const revoke = dialog(page, 'revoke')
    await fill(page, revoke, 'password', NEW_PASSWORD)
    await revoke.locator('input[name=sure]').check()
    await revoke.locator('[data-action=confirm-revoke]').click()
    await toast(page).filter({ hasText: '폐지했습니다' }).waitFor({ timeout: 60_000 })
    expect(existsSync(folder!)).toBe(false)
    expect(existsSync(diskCopy)).toBe(false)
    expect(ca.front.requests).toEqual(['ir', 'ir', 'kur', 'rr'])
  }, 180_000)
})
