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
