/**
 * 상세 and 암호 변경 on real files: the facts of the certificate, its copies and files, the local VID check, and a
 * password change whose result is verified on disk with the core's checkPassword.
 */
import { cp } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { changePassword, checkPassword } from '../../main/core/ops/password'
import { codeOf } from '../support/errors'
import { fixture } from '../support/fixtures'
import { dialog, fill, NEW_PASSWORD, openDetail, row, toast } from './helpers'
import { FIXTURE_PASSWORD, HONG_DN, HONG_NAME, worldPerTest, VECTORS, type World } from './scenario'

let w: World
worldPerTest((world) => (w = world))

describe('details', () => {
  it('shows subject, issuer, serial, validity, purpose, key usage and the copies with their files', async () => {
    const page = w.host.page
    await openDetail(page, HONG_NAME)
    const screen = page.locator('[data-screen=detail]')
    expect(await screen.locator('h1').textContent()).toBe(HONG_NAME)
    // Focus moves to the heading so screen readers announce the new screen.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('detail-title')
    const facts = (await screen.locator('.facts').textContent()) ?? ''
    expect(facts).toContain(HONG_DN.replace(/^cn=/, 'CN=').slice(0, 10))
    expect(facts).toContain('testsignCA SYNTHETIC FIXTURE')
    expect(await screen.locator('[data-field=serial]').textContent()).toBe('3e9')
    // Unambiguous dates (the Korean calendar date in its long form).
    expect(await screen.locator('[data-field=validity]').textContent()).toMatch(/~ 2044년 12월 27일$/)
    expect(facts).toContain('은행·신용카드·보험용')
    expect(facts).toContain('1.2.410.200005.1.1.4')
    expect(facts).toContain('전자서명')
    expect(facts).toMatch(/본인확인 정보있음/)
    const copy = screen.locator(`[data-copy="${w.hongFolder}"]`)
    expect(await copy.locator('.medium-tag').textContent()).toBe('하드디스크')
    expect(await copy.locator('.file-ok').count()).toBe(4)
    expect(await copy.locator('input[type=radio]').isChecked()).toBe(true)
    await w.host.screenshot('detail-ko')
  })

  it('checks the 주민등록번호 locally and shows only match / no match, clearing the fields', async () => {
    const page = w.host.page
    await openDetail(page, HONG_NAME)
    const vid = page.locator('[data-panel=vid]')
    await fill(page, vid, 'vid-password', FIXTURE_PASSWORD)
    await fill(page, vid, 'vid-idn', VECTORS.idn)
    await vid.locator('[data-action=verify-vid]').click()
    await vid.locator('[data-vid=match]').waitFor()
    expect(await vid.locator('input[name=vid-idn]').inputValue()).toBe('')
    expect(await vid.locator('input[name=vid-password]').inputValue()).toBe('')

    await fill(page, vid, 'vid-password', FIXTURE_PASSWORD)
    await fill(page, vid, 'vid-idn', '8001011234568')
    await vid.locator('[data-action=verify-vid]').click()
    await vid.locator('[data-vid=nomatch]').waitFor()

    await fill(page, vid, 'vid-password', 'not-the-password')
    await fill(page, vid, 'vid-idn', VECTORS.idn)
    await vid.locator('[data-action=verify-vid]').click()
    const alert = vid.locator('[role=alert]')
    await alert.waitFor()
    expect(await alert.textContent()).toBe(
      '인증서 암호가 올바르지 않습니다. 이 PC에서의 확인으로 인증서가 잠기지는 않지만(5회를 넘으면 잠시 기다린 뒤 다시 확인합니다), 은행 사이트는 5회 오류 시 잠길 수 있습니다. 암호를 잊었다면 은행에서 재발급을 받아야 합니다.',
    )
    // Nothing of the number or the password is kept by the page.
    const stored = await page.evaluate(() => JSON.stringify({ l: { ...localStorage }, s: { ...sessionStorage }, u: location.href }))
    expect(stored).not.toContain(VECTORS.idn)
    expect(stored).not.toContain(FIXTURE_PASSWORD)
  })
})

describe('details in words people know', () => {
  it('words the findings in Korean from their codes, names the key scheme, and keeps the DN one click away', async () => {
    const page = w.host.page
    // A second copy on the USB drive: the scan finds a duplicate and a copy on a plain USB drive.
    await cp(w.hongFolder, join(w.usbRoot, 'testsign', 'USER', HONG_DN), { recursive: true })
    await page.locator('[data-action=rescan]').click()
    await page.locator('[data-op=scan][data-op-state=done]').waitFor({ timeout: 15_000 })
    await openDetail(page, HONG_NAME)
    const screen = page.locator('[data-screen=detail]')
    const findings = screen.locator('.findings')
    expect(await findings.locator('[data-finding=duplicate]').textContent()).toContain('이 인증서가 2곳에 저장되어 있습니다.')
    const usb = findings.locator('[data-finding=removable-medium]')
    expect(await usb.textContent()).toContain('일반 USB 메모리에 있어')
    expect(await usb.locator('code.path').textContent()).toBe(join(w.usbRoot, 'testsign', 'USER', HONG_DN))
    // No raw kind and no English sentence from the scanner.
    const text = (await findings.textContent()) ?? ''
    expect(text).not.toMatch(/removable-medium|This certificate|stored in/)

    // The key scheme in words, never the internal id.
    expect(await screen.locator('[data-field=key-scheme]').first().textContent()).toBe('개인키 암호화 방식: SEED (표준 방식)')
    expect(await screen.textContent()).not.toContain('npki-pbkdf1-seed')

    // The holder by name; the DN is behind a disclosure.
    const holder = screen.locator('[data-field=holder]')
    expect(await holder.locator('> span').textContent()).toBe(HONG_NAME)
    expect(await holder.locator('[data-field=subject]').isVisible()).toBe(false)
    await holder.locator('[data-action=show-dn]').click()
    expect(await holder.locator('[data-field=subject]').isVisible()).toBe(true)
    expect(await holder.locator('[data-field=subject]').textContent()).toMatch(/^CN=홍길동\(\)0012345678901234,/i)
    await w.host.screenshot('detail-findings-ko')

    // An expired certificate's finding names its date in the long Korean form.
    await page.locator('[data-action=back]').click()
    await openDetail(page, 'HKD')
    expect(await page.locator('[data-finding=expired]').textContent()).toContain('2020년 3월 25일에 만료된 인증서입니다.')
    expect(await page.locator('[data-screen=detail] [data-field=issuer]').textContent()).toContain('금융결제원')

    // The same findings in English.
    await page.locator('[data-action=switch-language]').click()
    await expect.poll(() => page.locator('[data-finding=expired]').textContent()).toContain('This certificate expired on 25 March 2020.')
  })
})

describe('VID on a copy without randomNum', () => {
  it('explains that this copy cannot be checked, instead of "not found"', async () => {
    const page = w.host.page
    // An OpenSSL-3 PFX drops randomNum: import it onto the USB drive (through the real handler), then check there.
    const r = await w.host.handlers.importPfx({
      bytes: new Uint8Array(fixture('pfx', 'openssl3_default_aes256.pfx')),
      pfxPassword: FIXTURE_PASSWORD,
      newPassword: NEW_PASSWORD,
      to: { medium: 'removable', root: w.usbRoot },
    })
    expect(r.warnings).toContain('NO_RANDOM_NUM')
    w.host.emit({ type: 'inventoryChanged' })
    await expect.poll(() => row(page, HONG_NAME).locator('.copy-count').textContent()).toBe('2곳')
    await openDetail(page, HONG_NAME)
    await page.locator(`[data-copy="${r.location}"] input[type=radio]`).check()
    const vid = page.locator('[data-panel=vid]')
    await fill(page, vid, 'vid-password', NEW_PASSWORD)
    await fill(page, vid, 'vid-idn', VECTORS.idn)
    await vid.locator('[data-action=verify-vid]').click()
    const alert = vid.locator('[role=alert]')
    await alert.waitFor()
    expect(await alert.textContent()).toContain('randomNum')
  })
})

describe('change password', () => {
  it('checks the KISA rules as the person types and changes the password on disk', async () => {
    const page = w.host.page
    await openDetail(page, HONG_NAME)
    await page.locator('[data-action=change-password]').click()
    const dlg = dialog(page, 'change-password')
    await dlg.waitFor()
    const rule = (id: string) => dlg.locator(`[data-rule=${id}]`).getAttribute('data-ok')
    const submit = dlg.locator('[data-action=confirm-password]')

    await fill(page, dlg, 'new-password', 'abc1')
    expect(await rule('minLength')).toBe('false')
    expect(await rule('noAscendingRun')).toBe('false')
    expect(await rule('specials')).toBe('false')
    await fill(page, dlg, 'new-password', 'Dojang"2026pw')
    expect(await rule('forbiddenChars')).toBe('false')
    await fill(page, dlg, 'new-password', NEW_PASSWORD)
    for (const id of ['minLength', 'letters', 'digits', 'specials', 'forbiddenChars', 'printableAscii', 'noTripleRepeat', 'noAscendingRun']) expect(await rule(id)).toBe('true')
    expect(await dlg.locator('.note').first().textContent()).toContain('특수문자')

    await fill(page, dlg, 'current-password', FIXTURE_PASSWORD)
    await fill(page, dlg, 'confirm-password', NEW_PASSWORD + 'x')
    expect(await dlg.locator('.field-error').textContent()).toContain('다릅니다')
    expect(await submit.isDisabled()).toBe(true)
    await fill(page, dlg, 'confirm-password', NEW_PASSWORD)
    expect(await submit.isDisabled()).toBe(false)
    await w.host.screenshot('change-password-ko')
    await submit.click()
    await dlg.waitFor({ state: 'detached' })
    expect(await toast(page).first().textContent()).toContain('암호를 변경했습니다 (1곳)')

    // On disk: the new password opens both pairs, the old one no longer does.
    const r = await checkPassword(w.hongFolder, NEW_PASSWORD)
    expect(r.km).toBeDefined()
    expect(await codeOf(checkPassword(w.hongFolder, FIXTURE_PASSWORD))).toBe('WRONG_PASSWORD')
  })

  it('keeps the rules neutral until the person types, and keeps the buttons in view at 960×640', async () => {
    const page = w.host.page
    await cp(w.hongFolder, join(w.usbRoot, 'testsign', 'USER', HONG_DN), { recursive: true })
    await page.locator('[data-action=rescan]').click()
    await page.locator('[data-op=scan][data-op-state=done]').waitFor({ timeout: 15_000 })
    await page.setViewportSize({ width: 960, height: 640 })
    await openDetail(page, HONG_NAME)
    await page.locator('[data-action=change-password]').click()
    const dlg = dialog(page, 'change-password')
    await dlg.waitFor()
    // Before anything is typed no rule is marked failed.
    const states = () => dlg.locator('[data-rule]').evaluateAll((els) => els.map((e) => e.getAttribute('data-ok')))
    expect(new Set(await states())).toEqual(new Set(['neutral']))
    expect(await dlg.locator('.rule-fail, .icon-no').count()).toBe(0)
    await fill(page, dlg, 'new-password', 'a')
    expect(await states()).toContain('false')
    expect(await states()).not.toContain('neutral')

    // The tallest form: every copy chosen (with its note), a warning under the rules.
    await dlg.locator('input[name=all-copies]').check()
    await fill(page, dlg, 'current-password', FIXTURE_PASSWORD)
    await fill(page, dlg, 'new-password', 'Dojang#2026pw' + 'x'.repeat(10))
    await fill(page, dlg, 'confirm-password', 'mismatch')
    // The dialog itself never scrolls; the buttons are on screen and nothing covers them.
    expect(await dlg.evaluate((d) => d.scrollHeight <= d.clientHeight + 1)).toBe(true)
    for (const button of [dlg.locator('[data-action=confirm-password]'), dlg.locator('.dialog-actions button').first()]) {
      const box = (await button.boundingBox())!
      expect(box.y + box.height).toBeLessThanOrEqual(640)
      const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.closest('button')?.outerHTML ?? null, [box.x + box.width / 2, box.y + box.height / 2])
      expect(hit).toBe(await button.evaluate((b) => b.outerHTML))
    }
    await w.host.screenshot('change-password-960x640-ko')
  })

  it('shows the progress of a change of several copies with the same operation bar', async () => {
    const page = w.host.page
    await openDetail(page, HONG_NAME)
    await page.locator('[data-action=change-password]').click()
    const dlg = dialog(page, 'change-password')
    await dlg.waitFor()
    w.host.emit({ type: 'operation', operation: { id: 901, kind: 'change-password', state: 'running', step: 'copy', done: 1, total: 2, detail: {} } })
    const bar = dlg.locator('[data-op=change-password][data-op-state=running]')
    await bar.waitFor()
    expect(await bar.locator('.op-text').textContent()).toBe('복사본의 암호를 바꾸는 중 (1/2곳)')
    expect(await bar.locator('progress').getAttribute('value')).toBe('1')
    expect(await bar.locator('progress').getAttribute('max')).toBe('2')
    expect(await bar.locator('progress').getAttribute('aria-label')).toBe('암호를 바꾸는 중')
    // A password change cannot stop half-way through a copy: no cancel button.
    expect(await bar.locator('button').count()).toBe(0)
    w.host.emit({ type: 'operation', operation: { id: 901, kind: 'change-password', state: 'finished', step: 'copy', done: 2, total: 2, detail: {} } })
    await bar.waitFor({ state: 'detached' })
  })

  it('says plainly when the current password is wrong, changes nothing and clears only the current password', async () => {
    const page = w.host.page
    await openDetail(page, HONG_NAME)
    await page.locator('[data-action=change-password]').click()
    const dlg = dialog(page, 'change-password')
    await fill(page, dlg, 'current-password', 'Wrong#pass2024')
    await fill(page, dlg, 'new-password', NEW_PASSWORD)
    await fill(page, dlg, 'confirm-password', NEW_PASSWORD)
    await dlg.locator('[data-action=confirm-password]').click()
    const alert = dlg.locator('[role=alert]')
    await alert.waitFor()
    expect(await alert.textContent()).toContain('5회 오류 시 잠길 수 있습니다')
    // Only the current password is cleared, and the focus is back there for the retry.
    expect(await dlg.locator('input[name=current-password]').inputValue()).toBe('')
    for (const name of ['new-password', 'confirm-password']) expect(await dlg.locator(`input[name=${name}]`).inputValue()).toBe(NEW_PASSWORD)
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('current-password')
    expect(await codeOf(checkPassword(w.hongFolder, FIXTURE_PASSWORD))).toBe('OK')
    await page.keyboard.press('Escape')
    await dlg.waitFor({ state: 'detached' })
  })

  it('applies to every copy when asked (sends all copy locations)', async () => {
    const page = w.host.page
    const usbCopy = join(w.usbRoot, 'testsign', 'USER', HONG_DN)
    await cp(w.hongFolder, usbCopy, { recursive: true })
    await page.locator('[data-action=rescan]').click()
    await page.locator('[data-op=scan][data-op-state=done]').waitFor({ timeout: 15_000 })
    await openDetail(page, HONG_NAME)
    await page.locator('[data-action=change-password]').click()
    const dlg = dialog(page, 'change-password')
    const all = dlg.locator('input[name=all-copies]')
    expect(await dlg.locator('label:has(input[name=all-copies])').textContent()).toContain('(2곳)')
    await all.check()
    await fill(page, dlg, 'current-password', FIXTURE_PASSWORD)
    await fill(page, dlg, 'new-password', NEW_PASSWORD)
    await fill(page, dlg, 'confirm-password', NEW_PASSWORD)
    await dlg.locator('[data-action=confirm-password]').click()
    await dlg.waitFor({ state: 'detached' })
    expect(await toast(page).first().textContent()).toContain('(2곳)')
    for (const folder of [w.hongFolder, usbCopy]) expect(await codeOf(checkPassword(folder, NEW_PASSWORD))).toBe('OK')
    // Main reported the change copy by copy, which the dialog shows while it runs.
    const steps = w.host.events.flatMap((e) => (e.type === 'operation' && e.operation.kind === 'change-password' ? [`${e.operation.state}:${e.operation.done ?? '-'}/${e.operation.total ?? '-'}`] : []))
    expect(steps).toEqual(expect.arrayContaining(['running:0/2', 'running:1/2', 'finished:2/2']))
  })

  it('with every copy: a copy with another current password is left alone and named', async () => {
    const page = w.host.page
    const usbCopy = join(w.usbRoot, 'testsign', 'USER', HONG_DN)
    await cp(w.hongFolder, usbCopy, { recursive: true })
    await changePassword(usbCopy, FIXTURE_PASSWORD, 'Other#pass2024', { dataDir: join(w.dir, 'scratch-data') })
    await page.locator('[data-action=rescan]').click()
    await page.locator('[data-op=scan][data-op-state=done]').waitFor({ timeout: 15_000 })
    await openDetail(page, HONG_NAME)
    await page.locator('[data-action=change-password]').click()
    const dlg = dialog(page, 'change-password')
    await dlg.locator('input[name=all-copies]').check()
    await fill(page, dlg, 'current-password', FIXTURE_PASSWORD)
    await fill(page, dlg, 'new-password', NEW_PASSWORD)
    await fill(page, dlg, 'confirm-password', NEW_PASSWORD)
    await dlg.locator('[data-action=confirm-password]').click()
    await dlg.waitFor({ state: 'detached' })
    await toast(page).filter({ hasText: '암호를 변경했습니다 (1곳)' }).waitFor()
    const failed = toast(page).filter({ hasText: usbCopy })
    await failed.waitFor()
    expect(await failed.textContent()).toContain('인증서 암호가 올바르지 않습니다')
    expect(await codeOf(checkPassword(w.hongFolder, NEW_PASSWORD))).toBe('OK')
    expect(await codeOf(checkPassword(usbCopy, 'Other#pass2024'))).toBe('OK')
  })
})
