/** What the 발급/갱신 dialogs say when the new certificate was kept in the 보관함, or not issued at all. */
import { describe, expect, it } from 'vitest'
import { errorViewText } from '../../renderer/src/api'
import { translator } from '../../renderer/src/i18n'

describe('issued-kept / issued-not-kept in the screens', () => {
  const ko = translator('ko')
  const en = translator('en')
  it('a kept pair: what failed, then that it is not lost and how to copy it out', () => {
    const e = { code: 'IO_ERROR' as const, details: { hint: 'issued-kept', rescuedTo: '/x' } }
    expect(errorViewText(e, ko)).toContain(ko('error.IO_ERROR'))
    expect(errorViewText(e, ko)).toContain('보관')
    expect(errorViewText(e, en)).toContain('not lost')
    // Without the hint the same code says only what failed.
    expect(errorViewText({ code: 'IO_ERROR', details: {} }, ko)).toBe(ko('error.IO_ERROR'))
  })
  it('a pair that could not be kept: the CA was told, and what to do next', () => {
    const text = errorViewText({ code: 'DISK_FULL' as never, details: { hint: 'issued-not-kept' } }, ko)
    expect(text).toContain('인증기관')
    expect(text).toContain('디스크 공간')
  })
})
