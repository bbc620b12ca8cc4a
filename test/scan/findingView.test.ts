/** findingView: a stored finding → what the renderer words (code + params), also for rows stored before codes. */
import { describe, expect, it } from 'vitest'
import { findingView } from '../../main/core/scan/findingView'
import { toInventoryFindings } from '../../main/core/scan'
import { expiryFindings } from '../../main/core/scan/findings'
import type { Finding } from '../../main/core/inventory/types'

const stored = (f: Partial<Finding>): Finding => ({ id: 1, runId: 1, kind: 'duplicate', severity: 'info', certificate: null, location: null, detail: {}, ...f })

describe('findingView', () => {
  it('keeps the code and parameters through the inventory (scan → stored row → view)', () => {
    const [f] = expiryFindings(
      [
        {
          location: '/n/a',
          root: '/n',
          scanRoot: '/n',
          scanKind: 'npki',
          medium: 'disk',
          inNpki: true,
          layout: 'standard',
          files: { signCert: 'signCert.der', signPri: 'signPri.key' },
          pfx: [],
          other: [],
          id: { issuer: 'CN=ca', serial: '1' },
          certificate: { notBefore: '2020-01-01T00:00:00Z', notAfter: '2025-01-10T14:59:59Z' },
          contentHash: 'h',
          problems: [],
        } as never,
      ],
      new Date('2025-01-01T00:00:00Z'),
    )
    const [row] = toInventoryFindings([f!])
    const view = findingView(stored({ kind: row!.kind, severity: row!.severity, location: row!.location, detail: row!.detail }), 'id-1')
    expect(view).toMatchObject({ kind: 'expiring', code: 'expiring', params: { notAfter: '2025-01-10T14:59:59Z', daysLeft: 9 }, certificateId: 'id-1', locations: ['/n/a'] })
    expect(view.params).not.toHaveProperty('message')
    expect(view.params).not.toHaveProperty('code')
    expect(view.message).toMatch(/expires on 2025-01-10/)
  })

  it('falls back to the kind for rows stored before findings had codes, and to "other" for unknown kinds', () => {
    expect(findingView(stored({ kind: 'removable-medium', location: '/usb/x', detail: { message: 'm' } }), null)).toMatchObject({ code: 'removable-medium', locations: ['/usb/x'], params: {} })
    expect(findingView(stored({ kind: 'from-the-future', detail: {} }), null).code).toBe('other')
    expect(findingView(stored({ kind: 'duplicate', detail: { code: 'not-a-code', copies: 2 } }), null)).toMatchObject({ code: 'duplicate', params: { copies: 2 } })
  })
})
