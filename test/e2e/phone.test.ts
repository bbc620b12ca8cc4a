/**
 * 휴대폰으로 복사 / 휴대폰에서 가져오기 through the real screens: the app's page (test host over the real handler
 * table and core) starts the session with its buttons and renders the QR; the test reads the QR from a screenshot
 * (jsqr + pngjs), opens it in a phone-sized context of a second Chromium whose resolver maps the test host name onto
 * 127.0.0.1 (a non-secure origin, like http://192.168.x.y), compares the codes, confirms on the desktop screen, and
 * checks what arrives. Everything listens on 127.0.0.1 only.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configureTransfer } from '../../main/core/app/transferSessions'
import { importPfx } from '../../main/core/npki/pfx'
import { decryptPrivateKey } from '../../main/core/npki/privateKey'
import { checkPassword } from '../../main/core/ops/password'
import { certFoldersInZip, readZip } from '../../main/core/transfer/unzip'
import { fixture, FIXTURES, HONG_DIR } from '../support/fixtures'
import { openssl } from '../support/openssl'
import { decodeQr, launchChromium, phoneContext } from '../transfer/browser'
import { TEST_HOST } from '../transfer/support'
import { fill, NEW_PASSWORD, openDetail } from './helpers'
import { FIXTURE_PASSWORD, HONG_NAME, worldPerTest, type World } from './scenario'

let w: World
let phoneBrowser: Browser
worldPerTest((world) => (w = world), {
  beforeLoad: (core) => configureTransfer(core, { networks: () => [{ interface: 'test', address: '127.0.0.1', private: true }], advertiseHost: TEST_HOST }),
})

beforeAll(async () => {
  phoneBrowser = await launchChromium()
})
afterAll(async () => {
  await phoneBrowser?.close()
})

/** The camera: a screenshot of the QR as the desktop screen shows it, decoded. */
async function scanDesktopQr(page: Page): Promise<string> {
  const img = page.locator('img.phone-qr')
  await img.waitFor()
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0)).toBe(true)
  const text = decodeQr(await img.screenshot())
  if (!text) throw new Error('the QR code on the desktop screen did not decode')
  return text
}

/** Opens the scanned URL on the phone and waits until both screens show the same code. */
async function pairPhone(desktop: Page, url: string) {
  const context = await phoneContext(phoneBrowser)
  const page = await context.newPage()
  await page.goto(url)
  expect(await page.evaluate('window.isSecureContext')).toBe(false)
  await expect.poll(() => page.locator('#code').textContent(), { timeout: 20_000 }).toMatch(/^\d{3} \d{3}$/)
  await desktop.locator('.phone-code').waitFor()
  expect(await desktop.locator('.phone-code').textContent()).toBe(await page.locator('#code').textContent())
  expect(await desktop.locator('.phone-peer').textContent()).toBe('Chrome · Android · 127.0.0.1')
  return { context, page }
}

/**
 * The setup step before any QR: the network (the only one offered is preselected), what the phone gets, and the
 * certificate passwords a .p12 needs; then "QR 코드 만들기".
 */
async function setUp(desktop: Page, opts: { format?: 'both' | 'p12' | 'npki'; passwords?: string[] } = {}) {
  const form = desktop.locator('[data-form=phone-setup]')
  await form.waitFor()
  expect(await form.locator('input[name=network]:checked').getAttribute('value')).toBe('127.0.0.1')
  // Nothing listens before the person pressed the button.
  expect(await desktop.locator('img.phone-qr').count()).toBe(0)
  if (opts.format) await form.locator(`input[name=share-format][value=${opts.format}]`).check()
  for (const [i, pw] of (opts.passwords ?? []).entries()) await fill(desktop, form, `cert-password-${i}`, pw)
  await form.locator('[data-action=start-transfer]').click()
}

function expectNoKeyLeft(keyText: string, sid: string): void {
  // Events (what the renderer hears) and the IPC log never carry the session key or id.
  const seen = JSON.stringify(w.host.events) + JSON.stringify(w.host.calls)
  expect(seen).not.toContain(keyText)
  expect(seen).not.toContain(sid)
}

describe('휴대폰으로 복사 from the detail screen', () => {
  it('default NPKI + .p12: shows a QR that the phone opens; codes match; after confirming, the phone gets the certificate byte for byte and a .p12 under its password', async () => {
    const desktop = w.host.page
    await openDetail(desktop, HONG_NAME)
    await desktop.locator('[data-action=to-phone]').click()
    await desktop.locator('[data-form=phone-setup]').waitFor()
    expect(await desktop.locator('input[name=share-format]:checked').getAttribute('value')).toBe('both')
    await w.host.screenshot('phone-share-setup')
    await setUp(desktop, { passwords: [FIXTURE_PASSWORD] })
    const url = await scanDesktopQr(desktop)
    expect(new URL(url).hostname).toBe(TEST_HOST)
    expect(await desktop.locator('.phone-countdown').textContent()).toMatch(/\d+초 후 만료/)
    await w.host.screenshot('phone-share-qr')
    const keyText = new URL(url).hash.replace(/^#k=/, '')
    const sid = new URL(url).pathname.split('/')[2]!

    const { context, page } = await pairPhone(desktop, url)
    await desktop.locator('[data-action=confirm-phone]').click()
    await expect.poll(() => page.locator('body').getAttribute('data-phase'), { timeout: 20_000 }).toBe('ready')
    await expect.poll(() => desktop.locator('.phone-transfer').getAttribute('data-phase')).toBe('sent')

    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-download="zip"]').click()])
    const zipFile = join(w.dir, 'phone.zip')
    await dl.saveAs(zipFile)
    const [folder] = certFoldersInZip(readZip(new Uint8Array(await readFile(zipFile))))
    expect(folder).toBeDefined()
    for (const name of ['signCert.der', 'signPri.key', 'kmCert.der', 'kmPri.key']) {
      const got = folder!.files.find((f) => f.name === name)
      expect(Buffer.from(got!.data).equals(await readFile(join(HONG_DIR, name))), name).toBe(true)
    }
    // The key still opens with the certificate's own password, to the very same key bytes.
    const key = decryptPrivateKey(folder!.files.find((f) => f.name === 'signPri.key')!.data, FIXTURE_PASSWORD)
    expect(Buffer.from(key.pkcs8).equals(Buffer.from(fixture('plain', 'signPri.pkcs8.der')))).toBe(true)
    // The .p12 opens with the same password, to the same certificate and key.
    const [p12dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-download="p12"]').click()])
    expect(p12dl.suggestedFilename()).toMatch(/^홍길동_\d{4}-\d{2}-\d{2}\.p12$/)
    const p12File = join(w.dir, 'phone.p12')
    await p12dl.saveAs(p12File)
    const pair = importPfx(new Uint8Array(await readFile(p12File)), FIXTURE_PASSWORD).pairs[0]!
    expect(Buffer.from(pair.cert).equals(await readFile(join(HONG_DIR, 'signCert.der')))).toBe(true)
    expect(Buffer.from(pair.pkcs8).equals(Buffer.from(fixture('plain', 'signPri.pkcs8.der')))).toBe(true)
    expectNoKeyLeft(keyText, sid)
    // The certificate password crossed once (the start call) and is in no event.
    expect(JSON.stringify(w.host.events)).not.toContain(FIXTURE_PASSWORD)
    const audit = w.host.core.inventory.auditLog({ limit: 5 })
    expect(audit.some((e) => e.action === 'transfer-out' && e.outcome === 'ok')).toBe(true)
    await context.close()
  })

  it('declining on the desktop sends nothing and tells the phone', async () => {
    const desktop = w.host.page
    await openDetail(desktop, HONG_NAME)
    await desktop.locator('[data-action=to-phone]').click()
    await setUp(desktop, { format: 'npki' })
    const { context, page } = await pairPhone(desktop, await scanDesktopQr(desktop))
    await desktop.locator('[data-action=reject-phone]').click()
    await expect.poll(() => desktop.locator('.phone-transfer').getAttribute('data-phase')).toBe('declined')
    await expect.poll(() => page.locator('[data-error]').getAttribute('data-error'), { timeout: 20_000 }).toBeTruthy()
    expect(await page.locator('body').getAttribute('data-phase')).not.toBe('ready')
    await context.close()
  })
})

describe('휴대폰으로 복사 with a transfer password', () => {
  it('shows the transfer password on the PC only; the phone saves a .p12 it opens (OpenSSL agrees) and no NPKI folder', async () => {
    const desktop = w.host.page
    await openDetail(desktop, HONG_NAME)
    await desktop.locator('[data-action=to-phone]').click()
    await setUp(desktop, { format: 'p12', passwords: [FIXTURE_PASSWORD] })
    const url = await scanDesktopQr(desktop)
    const shown = desktop.locator('[data-transfer-password]')
    const transfer = (await shown.getAttribute('data-transfer-password'))!
    expect(transfer).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/)
    expect(await shown.textContent()).toBe(transfer)
    await w.host.screenshot('phone-share-transfer-password')
    const { context, page } = await pairPhone(desktop, url)
    await desktop.locator('[data-action=confirm-phone]').click()
    await expect.poll(() => page.locator('body').getAttribute('data-phase'), { timeout: 20_000 }).toBe('ready')
    expect(await page.locator('[data-download="zip"]').count()).toBe(0)
    // The phone tells the person which password opens it, and never shows it.
    expect(await page.locator('body').textContent()).not.toContain(transfer)
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-download="p12"]').click()])
    const file = join(w.dir, 'transfer.p12')
    await dl.saveAs(file)
    expect(openssl(['pkcs12', '-in', file, '-passin', `pass:${transfer}`, '-nokeys'], { legacy: true }).toString()).toContain('BEGIN CERTIFICATE')
    const pair = importPfx(new Uint8Array(await readFile(file)), transfer).pairs[0]!
    expect(Buffer.from(pair.pkcs8).equals(Buffer.from(fixture('plain', 'signPri.pkcs8.der')))).toBe(true)
    // After sending, the PC still shows it (the person may still be typing it on the phone).
    await expect.poll(() => desktop.locator('.phone-transfer').getAttribute('data-phase')).toBe('sent')
    expect(await desktop.locator('[data-transfer-password]').textContent()).toBe(transfer)
    // It is in no event the renderer heard and in no audit entry.
    expect(JSON.stringify(w.host.events) + JSON.stringify(w.host.core.inventory.auditLog({ limit: 20 }))).not.toContain(transfer)
    await context.close()
  })

  it('a wrong certificate password keeps the setup step with the error, focus on that field, and starts no session', async () => {
    const desktop = w.host.page
    await openDetail(desktop, HONG_NAME)
    await desktop.locator('[data-action=to-phone]').click()
    await setUp(desktop, { format: 'p12', passwords: ['not-the-password-1'] })
    const form = desktop.locator('[data-form=phone-setup]')
    await form.locator('.error-box').waitFor()
    expect(await form.locator('.error-box').textContent()).toMatch(/암호/)
    await expect.poll(() => desktop.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('cert-password-0')
    expect(await desktop.locator('img.phone-qr').count()).toBe(0)
    expect(w.host.events.some((e) => e.type === 'operation' && e.operation.kind === 'share')).toBe(false)
    // Typed again correctly, the session starts.
    await fill(desktop, form, 'cert-password-0', FIXTURE_PASSWORD)
    await form.locator('[data-action=start-transfer]').click()
    await desktop.locator('img.phone-qr').waitFor()
    await desktop.locator('[data-action=cancel-transfer]').click()
    await expect.poll(() => desktop.locator('.phone-transfer').getAttribute('data-phase')).toBe('cancelled')
    // 새 QR 코드 만들기 goes back to the setup step, with the choice kept and the password field empty.
    await desktop.locator('[data-action=restart-transfer]').click()
    await form.waitFor()
    expect(await form.locator('input[name=share-format]:checked').getAttribute('value')).toBe('p12')
    expect(await form.locator('input[name=cert-password-0]').inputValue()).toBe('')
  })
})

describe('휴대폰으로 복사 from the list selection', () => {
  it('sends the selected certificates in one session', async () => {
    const desktop = w.host.page
    const boxes = desktop.locator('#cert-grid [role=row][data-id] input[type=checkbox]')
    await expect.poll(() => boxes.count()).toBe(2)
    await boxes.nth(0).check()
    await boxes.nth(1).check()
    await desktop.locator('[data-action=phone-selected]').click()
    expect(await desktop.locator('.phone-items li').count()).toBe(2)
    await setUp(desktop, { format: 'npki' })
    expect(await desktop.locator('.phone-items li').count()).toBe(2)
    const { context, page } = await pairPhone(desktop, await scanDesktopQr(desktop))
    await desktop.locator('[data-action=confirm-phone]').click()
    await expect.poll(() => page.locator('body').getAttribute('data-phase'), { timeout: 20_000 }).toBe('ready')
    await expect.poll(() => desktop.locator('.phone-transfer').getAttribute('data-phase')).toBe('sent')
    await context.close()
  })
})

describe('휴대폰에서 가져오기', () => {
  it('the phone uploads a .p12; the desktop imports it onto the chosen USB drive with the new password', async () => {
    const desktop = w.host.page
    await desktop.locator('[data-action=from-phone]').click()
    // Receiving asks only for the network.
    expect(await desktop.locator('[data-form=phone-setup] input[name=share-format]').count()).toBe(0)
    await setUp(desktop)
    const { context, page } = await pairPhone(desktop, await scanDesktopQr(desktop))
    await desktop.locator('[data-action=confirm-phone]').click()
    await expect.poll(() => page.locator('body').getAttribute('data-phase'), { timeout: 20_000 }).toBe('upload')
    const p12 = await readFile(join(FIXTURES, 'pfx', 'bankstyle_3des_randomnum.pfx'))
    await page.locator('#file').setInputFiles({ name: '홍길동.p12', mimeType: 'application/x-pkcs12', buffer: p12 })
    await page.locator('#send').click()
    await expect.poll(() => page.locator('body').getAttribute('data-phase'), { timeout: 20_000 }).toBe('sent')

    const form = desktop.locator('[data-form=phone-import]')
    await form.waitFor()
    await form.locator(`input[name=phone-target][data-medium=removable]`).check()
    await fill(desktop, form, 'file-password', 'not-the-password')
    await fill(desktop, form, 'new-password', NEW_PASSWORD)
    await fill(desktop, form, 'confirm-password', NEW_PASSWORD)
    await form.locator('[data-action=import-received]').click()
    await form.locator('.error-box').waitFor()
    // A wrong password changed nothing; the file still waits.
    await fill(desktop, form, 'file-password', FIXTURE_PASSWORD)
    await form.locator('[data-action=import-received]').click()
    await expect.poll(() => desktop.locator('.phone-transfer').getAttribute('data-phase'), { timeout: 20_000 }).toBe('received')
    const audit = w.host.core.inventory.auditLog({ limit: 10 })
    const entry = audit.find((e) => e.action === 'transfer-in' && e.outcome === 'ok')
    expect(entry?.locations[0]?.startsWith(w.usbRoot)).toBe(true)
    await checkPassword(entry!.locations[0]!, NEW_PASSWORD)
    await w.host.screenshot('phone-receive-done')
    await context.close()
  })
})
