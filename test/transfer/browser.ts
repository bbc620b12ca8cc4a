/**
 * Debian Chromium for the transfer tests: one browser whose resolver maps the test LAN name onto 127.0.0.1, so
 * the phone page runs on a non-secure origin exactly like http://192.168.x.y (qr-transfer.md §9), and nothing
 * leaves the machine.
 */
import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import { TEST_HOST } from './support'

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.DOJANG_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--host-resolver-rules=MAP ${TEST_HOST} 127.0.0.1`,
    ],
  })
}

/** A phone: small touch screen, mobile user agent, Korean, downloads allowed. */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'ko-KR',
    userAgent: 'Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
    acceptDownloads: true,
  })
}

/** Reads a QR code from a PNG screenshot, as a phone camera would. */
export function decodeQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png)
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data
}
