import { describe, expect, it } from 'vitest'
import { PHONE_APP_JS } from '../../main/core/transfer/phone/app.generated'
import { bundlePhoneScript, generatedModule, GENERATED_FILE } from '../../main/core/transfer/phone/bundle'
import { phonePageHtml } from '../../main/core/transfer/phone/page'
import { readFileSync } from 'node:fs'

describe('the phone page bundle', () => {
  it('is current: rebuilding phone/browser with esbuild gives the checked-in app.generated.ts', async () => {
    const script = await bundlePhoneScript()
    // On failure run: npx tsx main/core/transfer/phone/generate.ts
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(generatedModule(script))
    expect(PHONE_APP_JS).toBe(script)
  })

  it('carries the noble licence notice and no Node built-ins', () => {
    expect(PHONE_APP_JS).toContain('noble-ciphers - MIT License')
    expect(PHONE_APP_JS).not.toMatch(/require\(|node:/)
  })

  it('has an HTML shell without inline script or style (the CSP allows neither)', () => {
    const html = phonePageHtml('AAAAAAAAAAAAAAAAAAAAAA')
    expect(html).toContain('<script defer src="/c/AAAAAAAAAAAAAAAAAAAAAA/app.js"></script>')
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/)
  })
})
