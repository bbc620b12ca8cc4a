/** The desktop half in Chromium: the PhoneTransfer screen (via screenHarness.tsx) driven like a command would. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'
import type { BrowserContext, Page } from 'playwright-core'
import { decodeQr } from './browser'

const REPO = join(__dirname, '..', '..')
/**
 * The screen's data props (PhoneTransferProps without callbacks). Spelled loosely here because this Node-side file
 * cannot import the .tsx screen; screenHarness.tsx, checked with the renderer's tsconfig, holds the real type.
 */
type DataProps = {
  direction: 'share' | 'receive'
  phase: string
  qrDataUrl?: string
  secondsLeft?: number
  items?: string[]
  network?: { interface: string; address: string }
  transferPassword?: string
  claim?: { code: string; address: string; userAgent: string }
  error?: string
}

let bundled: Promise<{ js: string; css: string }> | undefined

function harness(): Promise<{ js: string; css: string }> {
  bundled ??= (async () => {
    const result = await build({
      entryPoints: [join(__dirname, 'screenHarness.tsx')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
    })
    return { js: result.outputFiles[0]!.text, css: await readFile(join(REPO, 'renderer', 'src', 'styles.css'), 'utf8') }
  })()
  return bundled
}

export interface DesktopScreen {
  page: Page
  render(props: DataProps): Promise<void>
  /** Screenshot of the QR image as shown, decoded like a phone camera would. */
  scanQr(): Promise<string>
  /** Text of the confirmation code on the screen ("482 193"). */
  code(): Promise<string | null>
  click(action: 'confirm-phone' | 'reject-phone' | 'cancel-transfer'): Promise<void>
}

export async function openDesktopScreen(context: BrowserContext, onAction: (action: string) => void): Promise<DesktopScreen> {
  const { js, css } = await harness()
  const page = await context.newPage()
  await page.exposeFunction('dojangPhoneAction', onAction)
  await page.setContent('<!doctype html><html lang="ko"><head><meta charset="utf-8"></head><body></body></html>')
  await page.addStyleTag({ content: css })
  await page.addScriptTag({ content: js })
  return {
    page,
    async render(props) {
      await page.evaluate((p) => (globalThis as unknown as { renderPhoneTransfer(p: unknown, lang: string): void }).renderPhoneTransfer(p, 'ko'), props)
    },
    async scanQr() {
      const img = page.locator('img.phone-qr')
      await img.waitFor()
      await page.waitForFunction("document.querySelector('img.phone-qr')?.complete === true")
      const text = decodeQr(await img.screenshot())
      if (!text) throw new Error('the QR code on the screen did not decode')
      return text
    },
    code: () => page.locator('.phone-code').textContent(),
    async click(action) {
      await page.locator(`[data-action="${action}"]`).click()
    },
  }
}
