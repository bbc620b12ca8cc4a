/**
 * 발급 onto a 보안토큰 and 갱신 of the token copy through the real screens: a SoftHSM2 token, OpenSSL's CMP mock behind
 * the test CA front (which issues for the public key generated on the token). The dialogs ask for the PIN instead
 * of a password, in Korean; the PIN crosses IPC once per call and is never kept by the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../main/core/app/commands'
import { forkWorker } from '../../main/core/stores/token'
import { createSoftHsm, type SoftHsm } from '../support/softhsm'
import { dialog, fill, latinWords, toast } from './helpers'
import { worldPerTest, type World } from './scenario'
import { useTestCa } from '../support/testCa'

const REF = '12345678'
const AUTH = 'ABCD-EFGH-1234'
const PIN = '915372'
/** Data, not interface text: the token's label, the CA profile's name (테스트 CA), the PyPinkSign fixture's name. */
const DATA_WORDS = ['e2e-keygen', 'PIN', 'CA', 'HKD']

const ca = useTestCa({ ref: REF, auth: AUTH })
let hsm: SoftHsm
beforeAll(async () => {
  hsm = await createSoftHsm('e2e-keygen', PIN)
}, 60_000)
afterAll(async () => {
  await hsm?.cleanup()
})

let w: World
worldPerTest((world) => (w = world), {
  get tokens() {
    return { spawn: forkWorker({ env: hsm.env }), modules: [hsm.module], configFile: '/nonexistent/npki_pkcs11.cnf' }
  },
})

describe('발급, 갱신 and 폐지 with a key on the security token', () => {
  it('issues onto the token with its PIN, then renews the token copy from the details', async () => {
    const page = w.host.page
    await COMMANDS.addCaProfile(w.host.core, { profile: { name: '테스트 CA', transport: 'http', url: ca.front.url, caCert: ca.pki.caCertPem } })

    await page.locator('[data-action=open-issue]').click()
    const dlg = dialog(page, 'issue')
    await dlg.waitFor()
    await dlg.locator('label.target', { hasText: 'e2e-keygen' }).locator('input').check()
    // The token asks for its PIN, not for a new password: the key is generated inside it.
    await dlg.locator('[data-field=token-keygen]').waitFor()
    expect(await dlg.locator('input[name=new-password]').count()).toBe(0)
    await fill(page, dlg, 'reference-number', REF)
    await fill(page, dlg, 'auth-code', AUTH)
    await fill(page, dlg, 'token-pin', PIN)
    expect(await latinWords(page, DATA_WORDS)).toEqual([])
    await dlg.locator('[data-action=confirm-issue]').click()
    await toast(page).filter({ hasText: '보안토큰에 발급받았습니다' }).waitFor({ timeout: 60_000 })
    await dlg.waitFor({ state: 'detached' })

    // 갱신 from the details of the new certificate: its only copy is on the token.
    const newRow = page.locator('#cert-grid [role=row]').filter({ hasText: 'Dojang Test' }).first()
    await page.locator('#tab-token').click()
    await newRow.waitFor({ timeout: 30_000 })
    await newRow.locator('.link-button').click()
    await page.locator('[data-screen=detail] h1').waitFor()
    await page.locator('[data-action=renew]').click()
    const renew = dialog(page, 'renew')
    await renew.waitFor()
    expect(await renew.locator('input[name=password]').count()).toBe(0)
    await fill(page, renew, 'token-pin', PIN)
    expect(await latinWords(page, DATA_WORDS)).toEqual([])
    await renew.locator('[data-action=confirm-renew]').click()
    await toast(page).filter({ hasText: '보안토큰에서 갱신했습니다' }).waitFor({ timeout: 60_000 })
    expect(ca.front.requests.slice(-2)).toEqual(['ir', 'kur'])

    // Both certificates are on the token, each with its key; no answer to the page carries the PIN.
    const [mod] = await COMMANDS.listTokens(w.host.core, { pin: PIN })
    const tok = mod!.tokens.find((t) => t.serial === hsm.serial)!
    expect(tok.certificates.map((c) => c.hasKey)).toEqual([true, true])
    expect(w.host.calls.filter((c) => c.method === 'issueCertificate' || c.method === 'renewCertificate').map((c) => [c.method, c.ok])).toEqual([['issueCertificate', true], ['renewCertificate', true]])

    // 폐지 of the token copy from the same details: signed on the token with the PIN; the copy stays on the token.
    await page.locator('[data-action=revoke]').click()
    const revoke = dialog(page, 'revoke')
    await revoke.waitFor()
    expect(await revoke.locator('input[name=password]').count()).toBe(0)
    await fill(page, revoke, 'token-pin', PIN)
    await revoke.locator('input[name=sure]').check()
    expect(await latinWords(page, DATA_WORDS)).toEqual([])
    await revoke.locator('[data-action=confirm-revoke]').click()
    // (The mock renews under the old serial, so both certificates on the token are this one: both stay.)
    await toast(page).filter({ hasText: '인증서를 폐지했습니다. 보안토큰의 복사본 2개는 그대로' }).waitFor({ timeout: 60_000 })
    expect(await toast(page).filter({ hasText: '휴지통으로 옮겼습니다' }).count()).toBe(0)
    expect(ca.front.requests.at(-1)).toBe('rr')
    expect(JSON.stringify(w.host.calls)).not.toContain(PIN)
  }, 180_000)
})
