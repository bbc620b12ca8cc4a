/**
 * End to end in Debian Chromium: the QR as the desktop shows it, decoded from a screenshot; the phone page in a
 * phone-sized context on a non-secure LAN-like origin; codes compared; confirmation through the API; the .p12
 * and the NPKI ZIP downloaded and checked against the source files; and the reverse direction by file upload.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decryptPrivateKey } from '../../main/core/npki/privateKey'
import { importPfx } from '../../main/core/npki/pfx'
import { exportFolderToPfx } from '../../main/core/ops/pfxFile'
import { formatCode } from '../../main/core/transfer/code'
import { sealEnvelope } from '../../main/core/transfer/envelope'
import { encodeSharePayload, type ShareItem, type UploadFile } from '../../main/core/transfer/payload'
import { qrPngDataUrl } from '../../main/core/transfer/qr'
import { startReceive } from '../../main/core/transfer/receive'
import { newSessionSecrets } from '../../main/core/transfer/secrets'
import { TransferSession } from '../../main/core/transfer/server'
import { shareItemFromFolder, startShare } from '../../main/core/transfer/share'
import { certFoldersInZip, readZip } from '../../main/core/transfer/unzip'
import { writeZip } from '../../main/core/transfer/zip'
import { FIXTURE_PASSWORD, fixture, HONG_DIR, tempDir } from '../support/fixtures'
import { openssl } from '../support/openssl'
import { decodeQr, launchChromium, phoneContext } from './browser'
import { openDesktopScreen, type DesktopScreen } from './desktopScreen'
import { manualScheduler, progressLog, TEST_HOST } from './support'

let browser: Browser
let desktop: BrowserContext
let tmp: { dir: string; cleanup: () => Promise<void> }
let pfxBytes: Uint8Array
/** Screenshots for people to look at (not compared). */
const SHOTS = join(__dirname, '..', '..', 'test-results', 'transfer')

beforeAll(async () => {
  browser = await launchChromium()
  desktop = await browser.newContext({ viewport: { width: 1100, height: 760 } })
  tmp = await tempDir('dojang-qr-e2e-')
  await mkdir(SHOTS, { recursive: true })
  const out = join(tmp.dir, 'hong.p12')
  await exportFolderToPfx(HONG_DIR, FIXTURE_PASSWORD, FIXTURE_PASSWORD, { profile: 'bank', out, includeKm: true })
  pfxBytes = new Uint8Array(await readFile(out))
})

afterAll(async () => {
  await browser?.close()
  await tmp?.cleanup()
})

/** The desktop shows the QR; the "camera" reads it from a screenshot of what is on screen. */
async function scanQrFromDesktop(url: string): Promise<string> {
  const page = await desktop.newPage()
  await page.setContent(`<img id="qr" alt="QR" src="${await qrPngDataUrl(url)}">`)
  const shot = await page.locator('#qr').screenshot()
  await page.close()
  const text = decodeQr(shot)
  if (!text) throw new Error('the QR code in the screenshot did not decode')
  return text
}

interface LiveSession {
  url: string
  expiresAt: number
  confirm(): boolean
  reject(): boolean
  cancel(): void
}

/**
 * The real PhoneTransfer screen showing a live session, as the command layer will wire it: the QR from
 * qrPngDataUrl, the countdown, and the claim from the 'claimed' progress step; its buttons call the session.
 */
async function desktopScreenFor(session: LiveSession, direction: 'share' | 'receive', items?: string[]): Promise<DesktopScreen> {
  const screen = await openDesktopScreen(desktop, (action) => {
    if (action === 'confirm') session.confirm()
    else if (action === 'reject') session.reject()
    else if (action === 'cancel') session.cancel()
  })
  await screen.render({
    direction,
    phase: 'waiting',
    qrDataUrl: await qrPngDataUrl(session.url),
    secondsLeft: Math.round((session.expiresAt - Date.now()) / 1000),
    ...(items ? { items } : {}),
    network: { interface: 'test', address: TEST_HOST },
  })
  return screen
}

async function showClaim(screen: DesktopScreen, direction: 'share' | 'receive', detail: Record<string, string | number | boolean>): Promise<void> {
  await screen.render({ direction, phase: 'claimed', claim: { code: String(detail.code), address: String(detail.address), userAgent: String(detail.userAgent) } })
}

/** Opens the scanned URL on a phone; records every request the phone makes. */
async function openOnPhone(context: BrowserContext, url: string): Promise<{ page: Page; requests: string[]; problems: string[] }> {
  const page = await context.newPage()
  const requests: string[] = []
  /** Script errors and CSP refusals (HTTP error statuses the page expects are not problems). */
  const problems: string[] = []
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()} ${JSON.stringify(r.headers())}`))
  page.on('pageerror', (e) => problems.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text())
  })
  await page.goto(url)
  return { page, requests, problems }
}

async function download(page: Page, selector: string): Promise<{ name: string; bytes: Uint8Array }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()])
  const file = join(tmp.dir, `${Date.now()}-${dl.suggestedFilename()}`)
  await dl.saveAs(file)
  return { name: dl.suggestedFilename(), bytes: new Uint8Array(await readFile(file)) }
}

describe('PC → phone', () => {
  it('sends a certificate that the phone saves as .p12 and as an NPKI folder ZIP, identical to the source', async () => {
    const item = await shareItemFromFolder(HONG_DIR, { pfx: { name: '홍길동.p12', password: 'certificate', data: pfxBytes } })
    const log = progressLog()
    const session = await startShare({ bindHost: '127.0.0.1', advertiseHost: TEST_HOST, items: [item] }, { progress: log.progress })
    const keyText = session.url.split('#k=')[1] ?? ''

    const screen = await desktopScreenFor(session, 'share', [item.label])
    await screen.page.screenshot({ path: join(SHOTS, 'desktop-share-qr.png') })
    const scanned = await screen.scanQr()
    expect(scanned).toBe(session.url)
    expect(new URL(scanned).hostname).toBe(TEST_HOST)

    const phone = await phoneContext(browser)
    const { page, requests, problems } = await openOnPhone(phone, scanned)
    // The realistic case: a plain-http LAN page, no WebCrypto.
    expect(await page.evaluate('window.isSecureContext')).toBe(false)
    expect(await page.evaluate('typeof crypto.subtle')).toBe('undefined')

    await expect.poll(() => log.step('claimed')?.detail?.code).toMatch(/^\d{6}$/)
    const claimed = log.step('claimed')!.detail!
    await expect.poll(() => page.locator('#code').textContent()).toBe(formatCode(String(claimed.code)))
    // Both screens show the same code.
    await showClaim(screen, 'share', claimed)
    expect(await screen.code()).toBe(await page.locator('#code').textContent())
    expect(await screen.page.locator('.phone-peer').textContent()).toBe('Chrome · Android · 127.0.0.1')
    await screen.page.screenshot({ path: join(SHOTS, 'desktop-share-claimed.png') })
    await page.screenshot({ path: join(SHOTS, 'phone-share-code.png') })
    expect(claimed.userAgent).toContain('Android 14')
    expect(claimed.address).toBe('127.0.0.1')
    // The key left the address bar (history) as soon as the page read it.
    expect(page.url()).toBe(scanned.split('#')[0])

    // Someone else who scanned the same QR (photo over the shoulder) is locked out while the phone waits.
    const intruderContext = await phoneContext(browser)
    const intruder = await intruderContext.newPage()
    await intruder.goto(scanned)
    await expect.poll(() => intruder.locator('[data-error]').getAttribute('data-error')).toBe('errClaimed')

    // The person confirms on the desktop screen.
    await screen.click('confirm-phone')
    await expect.poll(() => page.locator('body').getAttribute('data-phase')).toBe('ready')
    await page.screenshot({ path: join(SHOTS, 'phone-share-ready.png'), fullPage: true })

    // .p12: the bytes the desktop made; opens with the certificate password (Dojang and OpenSSL agree).
    const p12 = await download(page, '[data-download="p12"]')
    expect(p12.name).toBe('홍길동.p12')
    expect(Buffer.from(p12.bytes).equals(Buffer.from(pfxBytes))).toBe(true)
    const contents = importPfx(p12.bytes, FIXTURE_PASSWORD)
    expect(Buffer.from(contents.pairs[0]!.cert).equals(Buffer.from(fixture('NPKI', 'testsign', 'USER', hongFolder(), 'signCert.der')))).toBe(true)
    expect(Buffer.from(contents.pairs[0]!.pkcs8).equals(Buffer.from(fixture('plain', 'signPri.pkcs8.der')))).toBe(true)
    const p12File = join(tmp.dir, 'check.p12')
    await writeFile(p12File, p12.bytes)
    expect(openssl(['pkcs12', '-in', p12File, '-passin', `pass:${FIXTURE_PASSWORD}`, '-nokeys'], { legacy: true }).toString()).toContain('BEGIN CERTIFICATE')

    // ZIP: the NPKI folder, every file byte for byte; the key still opens with the certificate password.
    const zip = await download(page, '[data-download="zip"]')
    expect(zip.name).toMatch(/^NPKI-cn=홍길동.*\.zip$/)
    const entries = readZip(zip.bytes)
    expect(entries.map((e) => e.path).sort()).toEqual(item.files.map((f) => `${item.folder}/${f.name}`).sort())
    for (const f of item.files) {
      expect(Buffer.from(entries.find((e) => e.path === `${item.folder}/${f.name}`)!.data).equals(Buffer.from(f.data))).toBe(true)
    }
    const signPri = entries.find((e) => e.path.endsWith('/signPri.key'))!.data
    expect(Buffer.from(decryptPrivateKey(signPri, FIXTURE_PASSWORD).pkcs8).equals(Buffer.from(fixture('plain', 'signPri.pkcs8.der')))).toBe(true)

    await expect(session.result).resolves.toEqual({ status: 'sent' })
    await screen.render({ direction: 'share', phase: 'sent' })
    expect(await screen.page.locator('[data-phase]').getAttribute('data-phase')).toBe('sent')
    // Replay after success: a fresh device finds nothing there.
    const late = await intruderContext.newPage()
    const failed = await late.goto(scanned).then(() => 'loaded', (e: Error) => e.message)
    expect(failed).toContain('ERR_CONNECTION_REFUSED')

    // The key never went over the wire: no request line or header carried it.
    expect(requests.length).toBeGreaterThan(3)
    for (const r of requests) expect(r).not.toContain(keyText)
    // The page ran under its strict CSP without a single refusal or script error.
    expect(problems).toEqual([])
    await phone.close()
    await intruderContext.close()
    await screen.page.close()
  })

  it('offers only the .p12 when the PC sends no NPKI files, and names the transfer password', async () => {
    const item: ShareItem = { label: '홍길동', folder: 'NPKI/testsign/USER/cn=홍길동', files: [], pfx: { name: '홍길동.p12', password: 'transfer', data: pfxBytes } }
    const session = await startShare({ bindHost: '127.0.0.1', advertiseHost: TEST_HOST, items: [item] })
    const phone = await phoneContext(browser)
    const { page } = await openOnPhone(phone, await scanQrFromDesktop(session.url))
    await expect.poll(() => page.locator('#code').count()).toBe(1)
    session.confirm()
    await expect.poll(() => page.locator('body').getAttribute('data-phase')).toBe('ready')
    expect(await page.locator('[data-download="zip"]').count()).toBe(0)
    expect(await page.locator('.hint').textContent()).toContain('전송 비밀번호')
    const p12 = await download(page, '[data-download="p12"]')
    expect(Buffer.from(p12.bytes).equals(Buffer.from(pfxBytes))).toBe(true)
    await expect(session.result).resolves.toEqual({ status: 'sent' })
    await phone.close()
  })

  it('shows "damaged" and saves nothing when the payload does not open', async () => {
    // A server that sends an envelope sealed under another key (what a tampering relay would produce).
    const secrets = newSessionSecrets()
    const other = newSessionSecrets()
    const sealed = sealEnvelope(other.key, secrets.sid, 'down', encodeSharePayload([{ label: 'x', folder: 'NPKI/x', files: [{ name: 'signCert.der', data: new Uint8Array(10) }] } satisfies ShareItem]))
    const session = new TransferSession({ mode: 'share', secrets, sealed, bindHost: '127.0.0.1', advertiseHost: TEST_HOST })
    await session.listen()
    const phone = await phoneContext(browser)
    const { page } = await openOnPhone(phone, await scanQrFromDesktop(session.url))
    await expect.poll(() => page.locator('#code').count()).toBe(1)
    session.confirm()
    await expect.poll(() => page.locator('[data-error]').getAttribute('data-error')).toBe('errTampered')
    expect(await page.locator('[data-download]').count()).toBe(0)
    expect((await session.ended).state).toBe('done')
    await phone.close()
  })

  it('tells the phone when the person declines', async () => {
    const clock = manualScheduler()
    const session = await startShare({ bindHost: '127.0.0.1', advertiseHost: TEST_HOST, items: [await shareItemFromFolder(HONG_DIR)], scheduler: clock.scheduler })
    const phone = await phoneContext(browser)
    const { page } = await openOnPhone(phone, await scanQrFromDesktop(session.url))
    // The phone is waiting for the answer (its status request is held) when the person says no.
    await expect.poll(() => clock.live('long-poll')).toBe(1)
    session.reject()
    await expect.poll(() => page.locator('[data-error]').getAttribute('data-error')).toBe('errDeclined')
    expect(await page.locator('[data-error]').textContent()).toContain('거절')
    // The page speaks English too.
    await page.locator('#lang').click()
    expect(await page.locator('[data-error]').textContent()).toBe('The PC declined. The connection has ended.')
    expect(await page.evaluate('document.documentElement.lang')).toBe('en')
    await expect(session.result).resolves.toEqual({ status: 'declined' })
    await phone.close()
  })
})

describe('phone → PC', () => {
  it('receives a .p12 the phone picks, and the password check on the desktop opens it', async () => {
    const log = progressLog()
    const session = await startReceive({ bindHost: '127.0.0.1', advertiseHost: TEST_HOST, onReceived: (file: UploadFile) => importPfx(file.data, FIXTURE_PASSWORD) }, { progress: log.progress })
    const screen = await desktopScreenFor(session, 'receive')
    const phone = await phoneContext(browser)
    const { page } = await openOnPhone(phone, await screen.scanQr())
    await expect.poll(() => log.step('claimed')?.detail?.code).toMatch(/^\d{6}$/)
    await expect.poll(() => page.locator('#code').textContent()).toBe(formatCode(String(log.step('claimed')!.detail!.code)))
    await showClaim(screen, 'receive', log.step('claimed')!.detail!)
    expect(await screen.code()).toBe(await page.locator('#code').textContent())
    await screen.click('confirm-phone')
    await expect.poll(() => page.locator('body').getAttribute('data-phase')).toBe('upload')
    await page.screenshot({ path: join(SHOTS, 'phone-receive-upload.png') })
    await page.locator('#file').setInputFiles({ name: '홍길동.p12', mimeType: 'application/x-pkcs12', buffer: Buffer.from(pfxBytes) })
    await page.locator('#send').click()
    await expect.poll(() => page.locator('body').getAttribute('data-phase')).toBe('sent')
    const outcome = await session.result
    expect(outcome.status).toBe('received')
    if (outcome.status !== 'received') return
    expect(outcome.file.name).toBe('홍길동.p12')
    expect(outcome.file.kind).toBe('pfx')
    expect(Buffer.from(outcome.file.data).equals(Buffer.from(pfxBytes))).toBe(true)
    expect(Buffer.from(outcome.imported!.pairs[0]!.pkcs8).equals(Buffer.from(fixture('plain', 'signPri.pkcs8.der')))).toBe(true)
    await phone.close()
    await screen.page.close()
  })

  it('receives an NPKI folder ZIP and finds the certificate folder in it, byte for byte', async () => {
    const item = await shareItemFromFolder(HONG_DIR)
    const zip = writeZip(item.files.map((f) => ({ path: `${item.folder}/${f.name}`, data: f.data })))
    const session = await startReceive({ bindHost: '127.0.0.1', advertiseHost: TEST_HOST })
    const phone = await phoneContext(browser)
    const { page } = await openOnPhone(phone, await scanQrFromDesktop(session.url))
    await expect.poll(() => page.locator('#code').count()).toBe(1)
    session.confirm()
    await expect.poll(() => page.locator('body').getAttribute('data-phase')).toBe('upload')
    // A wrong kind of file is refused on the phone before anything is sent.
    await page.locator('#file').setInputFiles({ name: 'memo.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') })
    await page.locator('#send').click()
    await expect.poll(() => page.locator('[data-error]').getAttribute('data-error')).toBe('errFileType')
    await page.locator('#file').setInputFiles({ name: 'NPKI.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) })
    await page.locator('#send').click()
    await expect.poll(() => page.locator('body').getAttribute('data-phase')).toBe('sent')
    const outcome = await session.result
    expect(outcome.status).toBe('received')
    if (outcome.status !== 'received') return
    expect(outcome.file.kind).toBe('zip')
    const [folder] = certFoldersInZip(readZip(outcome.file.data))
    expect(folder?.folder).toBe(item.folder)
    for (const f of item.files) expect(Buffer.from(folder!.files.find((g) => g.name === f.name)!.data).equals(Buffer.from(f.data))).toBe(true)
    await phone.close()
  })
})

function hongFolder(): string {
  return 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'
}
