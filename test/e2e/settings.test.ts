/**
 * Language switch (visible strings and html[lang] follow, the choice persists), the settings screen saving each
 * change through setSettings, the calendar export, and the history (audit log) of operations done in the page.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { dialog, fill, NEW_PASSWORD, openDetail, row } from './helpers'
import { FIXTURE_PASSWORD, HONG_NAME, worldPerTest, type World } from './scenario'

let w: World
worldPerTest((world) => (w = world))

describe('language', () => {
  it('switches every visible string and html[lang], and remembers the choice', async () => {
    const page = w.host.page
    expect(await page.getAttribute('html', 'lang')).toBe('ko')
    expect(await page.locator('#list-title').textContent()).toBe('인증서 목록')
    await page.locator('[data-action=switch-language]').click()
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en')
    expect(await page.locator('#list-title').textContent()).toBe('Certificates')
    expect(await page.locator('[data-sort=name]').textContent()).toContain('Holder')
    expect(await page.locator('[data-tab=removable]').textContent()).toContain('Removable disk')
    expect(await row(page, 'HKD').locator('.badge [aria-hidden]').textContent()).toBe('Expired')
    expect(await page.title()).toBe('Dojang — certificate manager')
    // No Hangul is left in the chrome of the page (names and purpose labels come from the data; the language
    // button names the other language in that language).
    const chrome = await page.locator('.nav-item, .brand-name, .screen-header, .tabs, .toolbar, .grid-head').allTextContents()
    expect(chrome.join(' ')).not.toMatch(/[\uac00-\ud7a3]/)
    await w.host.screenshot('list-en')
    expect((await w.host.handlers.getSettings({})).language).toBe('en')

    await openDetail(page, HONG_NAME)
    await w.host.screenshot('detail-en')
    await page.locator('[data-action=change-password]').click()
    const dlg = dialog(page, 'change-password')
    await fill(page, dlg, 'new-password', 'abc')
    expect(await dlg.locator('[data-rule=minLength]').textContent()).toContain('At least 10 characters')
    await w.host.screenshot('change-password-en')
    await page.keyboard.press('Escape')

    // A new window starts in the saved language.
    await page.reload()
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en')
    expect(await page.locator('#list-title').textContent()).toBe('Certificates')

    await page.locator('[data-nav=settings]').click()
    await page.locator('input[name=language][value=ko]').check()
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('ko')
    expect(await page.locator('#settings-title').textContent()).toBe('설정')
  })
})

describe('settings', () => {
  it('saves reminders, extra folders and helpdesk mode at once, and exports the calendar', async () => {
    const page = w.host.page
    await page.locator('[data-nav=settings]').click()
    await page.locator('[data-screen=settings] .settings').waitFor()
    // The media Dojang sees now: the disk root and the USB drive. The list arrives by its own call, possibly after
    // the settings, so wait for it rather than read it once.
    const media = page.locator('.media-list')
    await expect.poll(async () => (await media.textContent()) ?? '').toContain(w.diskRoot)
    expect(await media.textContent()).toContain(w.usbRoot)

    await page.locator('input[data-notify-day="14"]').check()
    await expect.poll(async () => (await w.host.handlers.getSettings({})).notifyDays).toEqual([30, 14, 7, 1])
    await page.locator('input[data-notify-day="1"]').uncheck()
    await expect.poll(async () => (await w.host.handlers.getSettings({})).notifyDays).toEqual([30, 14, 7])

    // The page cannot name a folder: 폴더 추가… opens main's folder dialog, and a cancelled dialog changes nothing.
    w.host.nextFolder = null
    await page.locator('[data-action=add-root]').click()
    expect((await w.host.handlers.getSettings({})).extraRoots).toEqual([])
    w.host.nextFolder = '/srv/backup/certs'
    await page.locator('[data-action=add-root]').click()
    await expect.poll(async () => (await w.host.handlers.getSettings({})).extraRoots).toEqual(['/srv/backup/certs'])
    await page.locator('.root-list li').filter({ hasText: '/srv/backup/certs' }).waitFor()
    await page.locator('.root-list li button').click()
    await expect.poll(async () => (await w.host.handlers.getSettings({})).extraRoots).toEqual([])

    await page.locator('input[name=helpdesk]').check()
    await expect.poll(async () => (await w.host.handlers.getSettings({})).helpdeskMode).toBe(true)
    await w.host.screenshot('settings-ko')

    await page.locator('[data-action=export-calendar]').click()
    await page.locator('.toasts [data-toast]').filter({ hasText: '.ics' }).waitFor()
    const ics = w.host.savedPaths.at(-1)!
    expect(existsSync(ics)).toBe(true)
    expect(await readFile(ics, 'utf8')).toContain('BEGIN:VCALENDAR')
  })
})

describe('history', () => {
  it('lists what was done, with the outcome, and never a password', async () => {
    const page = w.host.page
    await openDetail(page, HONG_NAME)
    await page.locator('[data-action=change-password]').click()
    const dlg = dialog(page, 'change-password')
    await fill(page, dlg, 'current-password', FIXTURE_PASSWORD)
    await fill(page, dlg, 'new-password', NEW_PASSWORD)
    await fill(page, dlg, 'confirm-password', NEW_PASSWORD)
    await dlg.locator('[data-action=confirm-password]').click()
    await dlg.waitFor({ state: 'detached' })
    await page.locator('[data-action=delete]').click()
    await dialog(page, 'delete').locator('[data-action=confirm-delete]').click()
    await dialog(page, 'delete').waitFor({ state: 'detached' })

    await page.locator('[data-nav=history]').click()
    const table = page.locator('[data-screen=history] table')
    await table.waitFor()
    await expect.poll(() => page.locator('[data-screen=history] tr[data-audit-action]').count()).toBeGreaterThanOrEqual(2)
    const change = page.locator('tr[data-audit-action=change-password]').first()
    expect(await change.getAttribute('data-outcome')).toBe('ok')
    expect(await change.textContent()).toContain('암호 변경')
    expect(await change.textContent()).toContain(w.hongFolder)
    expect(await page.locator('tr[data-audit-action=delete]').first().textContent()).toContain('삭제')
    const text = (await table.textContent()) ?? ''
    expect(text).not.toContain(NEW_PASSWORD)
    expect(text).not.toContain(FIXTURE_PASSWORD)
    await w.host.screenshot('history-ko')
  })
})

describe('backups', () => {
  it('shows the backups a password change left and empties them after a second click', async () => {
    const page = w.host.page
    const changed = await w.host.handlers.changePassword({ locations: [w.hongFolder], oldPassword: FIXTURE_PASSWORD, newPassword: NEW_PASSWORD })
    expect(changed.changed).toHaveLength(1)
    await page.locator('[data-nav=settings]').click()
    const panel = page.locator('[data-panel=backups]')
    await expect.poll(() => panel.locator('[data-backup-count]').getAttribute('data-backup-count')).toBe('1')
    const button = panel.locator('[data-action=empty-backups]')
    await button.click()
    // The first click only asks; nothing is gone yet.
    expect((await w.host.handlers.listBackups({})).length).toBe(1)
    await expect.poll(() => button.textContent()).toContain('되돌릴 수 없음')
    await w.host.screenshot('settings-backups-ko')
    await button.click()
    await expect.poll(() => panel.locator('[data-backup-count]').getAttribute('data-backup-count')).toBe('0')
    expect(await w.host.handlers.listBackups({})).toEqual([])
    expect(existsSync(w.hongFolder)).toBe(true)
  })
})
