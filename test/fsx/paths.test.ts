import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultDataDir, isDojangTempName } from '../../main/core/fsx'
import { tempPathFor } from '../../main/core/fsx/paths'

describe('defaultDataDir', () => {
  it('prefers DOJANG_DATA_DIR on every platform', () => {
    for (const p of ['linux', 'darwin', 'win32'] as const) {
      expect(defaultDataDir({ DOJANG_DATA_DIR: '/srv/dojang', XDG_DATA_HOME: '/x', APPDATA: 'C:\\A' }, p, '/home/u')).toBe('/srv/dojang')
    }
  })

  it('uses XDG_DATA_HOME on Linux, ignoring a relative one as the XDG spec says', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/home/u/.data' }, 'linux', '/home/u')).toBe('/home/u/.data/dojang')
    expect(defaultDataDir({ XDG_DATA_HOME: 'rel/data' }, 'linux', '/home/u')).toBe('/home/u/.local/share/dojang')
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/dojang')
    expect(defaultDataDir({ DOJANG_DATA_DIR: '' }, 'freebsd', '/home/u')).toBe('/home/u/.local/share/dojang')
  })

  it('uses Application Support on macOS', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/ignored' }, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Dojang')
  })

  it('uses %APPDATA% on Windows, with the usual fallback', () => {
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\Dojang')
    expect(defaultDataDir({}, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\Dojang')
  })

  it('works with the real environment', () => {
    expect(path.isAbsolute(defaultDataDir())).toBe(true)
  })
})

describe('temp names', () => {
  it('are hidden, beside the target and recognisable by the scanner', () => {
    const t = tempPathFor('/a/b/signPri.key')
    expect(path.dirname(t)).toBe('/a/b')
    expect(path.basename(t)).toMatch(/^\.signPri\.key\.dojang-[0-9a-f]{12}\.tmp$/)
    expect(isDojangTempName(path.basename(t))).toBe(true)
    expect(isDojangTempName('signPri.key')).toBe(false)
    expect(tempPathFor('/a/b/signPri.key')).not.toBe(t)
  })
})
