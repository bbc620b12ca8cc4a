import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { allProfileRoots, defaultNpkiRoots } from '../../main/core/npki/roots'
import { tempDir } from '../support/fixtures'

describe('NPKI roots', () => {
  it('names the primary root of each OS first', () => {
    expect(defaultNpkiRoots('linux', {}, '/home/kim')[0]).toEqual({ path: '/home/kim/NPKI', weight: 'primary' })
    expect(defaultNpkiRoots('darwin', {}, '/Users/kim')[0]!.path).toBe('/Users/kim/Library/Preferences/NPKI')
    const win = defaultNpkiRoots('win32', { USERPROFILE: 'C:\\Users\\kim', ProgramFiles: 'C:\\Program Files' }, 'C:\\Users\\kim').map((r) => r.path)
    expect(win.slice(0, 2)).toEqual(['C:\\Users\\kim\\AppData\\LocalLow\\NPKI', 'C:\\Program Files\\NPKI'])
  })

  it('helpdesk mode covers every profile, skips the shared ones and lists machine-wide roots once', async () => {
    const { dir, cleanup } = await tempDir()
    try {
      for (const u of ['kim', 'lee', 'Public']) await mkdir(join(dir, u))
      const linux = (await allProfileRoots('linux', {}, [dir])).map((r) => r.path)
      expect(linux).toEqual([join(dir, 'kim', 'NPKI'), join(dir, 'kim', '.pki', 'NPKI'), join(dir, 'lee', 'NPKI'), join(dir, 'lee', '.pki', 'NPKI')])
      const win = (await allProfileRoots('win32', { ProgramFiles: 'C:\\Program Files' }, [dir])).map((r) => r.path)
      expect(win.filter((p) => p === 'C:\\Program Files\\NPKI')).toHaveLength(1)
      expect(win.some((p) => p.includes('Public'))).toBe(false)
    } finally {
      await cleanup()
    }
  })
})
