/** Small page helpers shared by the e2e tests (locators by role, data attributes and visible words). */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'
import type { TestHost } from './host'

export const NEW_PASSWORD = 'Dojang#2026pw'

export const rows = (page: Page): Locator => page.locator('#cert-grid [role=row][data-id]')

export async function rowNames(page: Page): Promise<string[]> {
  return rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? ''))
}

export async function waitForRows(page: Page, n: number): Promise<void> {
  await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(n)
}

export const row = (page: Page, name: string): Locator => page.locator(`#cert-grid [role=row][data-name="${name}"]`)

export async function openDetail(page: Page, name: string): Promise<void> {
  await row(page, name).locator('.link-button').click()
  await page.locator('[data-screen=detail] h1').waitFor()
}

export const dialog = (page: Page, name: string): Locator => page.locator(`dialog[open][data-dialog="${name}"]`)

export async function fill(page: Page, scope: Locator, name: string, value: string): Promise<void> {
  await scope.locator(`input[name="${name}"]`).fill(value)
}

export const toast = (page: Page): Locator => page.locator('.toasts [data-toast]')

/** Simulates dropping a file on `target` the way a person drags it from the desktop. */
export async function dropFile(page: Page, target: string, name: string, bytes: Uint8Array): Promise<void> {
  const b64 = Buffer.from(bytes).toString('base64')
  const dt = await page.evaluateHandle(
    ([data, fileName]) => {
      const bin = atob(data)
      const u = new Uint8Array(bin.length)
      for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i)
      const transfer = new DataTransfer()
      transfer.items.add(new File([u], fileName, { type: 'application/x-pkcs12' }))
      return transfer
    },
    [b64, name] as const,
  )
  await page.dispatchEvent(target, 'dragover', { dataTransfer: dt })
  await page.dispatchEvent(target, 'drop', { dataTransfer: dt })
  await dt.dispose()
}

/** Every folder under `root` that holds a signCert.der (an NPKI copy). */
export async function certFolders(root: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch {
      return
    }
    if (entries.some((e) => e.isFile() && e.name.toLowerCase() === 'signcert.der')) out.push(dir)
    for (const e of entries) if (e.isDirectory()) await walk(join(dir, e.name))
  }
  await walk(root)
  return out
}

/** No console error, page error or CSP violation happened in the page. */
export function expectCleanPage(host: TestHost): void {
  expect(host.pageErrors).toEqual([])
}

/**
 * Latin words in what a Korean screen says: its text, the labels a screen reader reads (aria-label, title,
 * placeholder, alt) and the window title. Data is left out: names, paths, serials and DNs are marked
 * translate="no" or set as code, and text in another language carries its lang attribute (the language button).
 * `data` names words that are data inside a sentence or label (a holder's name in "HKD 선택").
 */
export async function latinWords(page: Page, data: string[] = []): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const data = 'code, kbd, script, style, [translate=no], [lang]:not([lang=ko]):not(html)'
    const out: string[] = [document.title]
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement && !n.parentElement.closest(data)) out.push(n.nodeValue ?? '')
    }
    for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
      if (el.closest(data)) continue
      for (const a of ['aria-label', 'title', 'placeholder', 'alt']) out.push(el.getAttribute(a) ?? '')
    }
    return out
  })
  const words = texts.join(' ').match(/[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*/g) ?? []
  return [...new Set(words.filter((w) => /[A-Za-z]/.test(w) && !allowedLatin(w) && !data.includes(w)))]
}

// Words that stay Latin in Korean text: formats, media and algorithms as Korean bank pages name them, the D-day
// badge, key names on the keyboard, NPKI file names and fields, file extensions, drive letters, and the examples of
// the password rules.
const LATIN_ALLOWED = new Set(
  ['PFX', 'P12', 'USB', 'QR', 'Wi-Fi', 'ZIP', 'zip', 'NPKI', 'GPKI', 'PC', 'KISA', 'SEED', 'AES', 'AES-256', 'PBES2', '3DES', 'SHA-1', 'SHA-256', 'Enter', 'Delete', 'Esc', 'ics', 'aaa', 'abc', 'cba', 'D-day'].map((w) =>
    w.toLowerCase(),
  ),
)
function allowedLatin(word: string): boolean {
  return (
    LATIN_ALLOWED.has(word.toLowerCase()) ||
    /^D-\d+$/.test(word) ||
    /^[A-Z]$/.test(word) ||
    /^(signCert|signPri|kmCert|kmPri|randomNum)(\.(der|key))?$/.test(word)
  )
}
