import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '..', '..')
const config = JSON.parse(readFileSync(join(root, 'electron-builder.json'), 'utf8'))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

describe('packaging configuration', () => {
  it('turns off RunAsNode, NODE_OPTIONS and the inspector switches with fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    })
  })

  it('builds NSIS, dmg, AppImage and deb with the app id and an icon that exists', () => {
    expect(config.appId).toBe('kr.dojang.app')
    expect(config.win.target).toContain('nsis')
    expect(config.mac.target).toContain('dmg')
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']))
    for (const os of ['win', 'mac', 'linux']) expect(existsSync(join(root, config[os].icon))).toBe(true)
    expect(existsSync(join(root, config.mac.entitlements))).toBe(true)
  })

  it('ships the built app and unpacks native modules, rebuilt for Electron (better-sqlite3 is not N-API)', () => {
    expect(config.files).toContain('out/**')
    expect(config.asarUnpack).toContain('**/*.node')
    expect(config.npmRebuild).toBe(true)
    expect(pkg.main).toBe('out/main/index.js')
    expect(pkg.scripts.dist).toContain('electron-builder')
  })
})

describe('packaging: the file protocol has no extra privileges (issue 11 defect 6)', () => {
  it('turns the grantFileProtocolExtraPrivileges fuse off (the page is served from app://)', () => {
    expect(config.electronFuses.grantFileProtocolExtraPrivileges).toBe(false)
  })

  it('the page CSP names font-src, connect-src, base-uri and form-action; the header adds frame-ancestors', async () => {
    const html = readFileSync(join(root, 'renderer', 'index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!
    for (const d of ["default-src 'self'", "font-src 'self'", "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "object-src 'none'"]) expect(meta).toContain(d)
    const { CONTENT_SECURITY_POLICY } = await import('../../main/security')
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'")
    expect(CONTENT_SECURITY_POLICY).toContain("font-src 'self'")
  })
})
