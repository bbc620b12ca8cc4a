import Database from 'better-sqlite3'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { INVENTORY_FILE, SETTING_DEFAULTS, findSecretField, isSecretKeyName, type AuditInput } from '../../main/core/inventory'
import { manualClock, openTracked, tempDir, thrown, YESSIGN } from './helpers'

describe('audit log', () => {
  it('lists newest first and pages with before', () => {
    const clock = manualClock('2025-06-01T00:00:00.000Z')
    const inv = openTracked(tempDir(), { now: clock.now })
    const actions = ['import', 'change-password', 'copy', 'export', 'delete'] as const
    for (const action of actions) {
      inv.audit({ action, certificate: { issuer: YESSIGN, serial: '0A' }, locations: ['/home/u/NPKI/x'], outcome: 'ok' })
      clock.advance(1000)
    }
    const failed = inv.audit({
      action: 'change-password',
      certificate: { issuer: YESSIGN, serial: '0a' },
      locations: ['/home/u/NPKI/x', '/media/u/USB/NPKI/x'],
      outcome: 'WRONG_PASSWORD',
      detail: { applyToAllCopies: true, copies: 2 },
    })
    expect(failed).toMatchObject({ at: '2025-06-01T00:00:05.000Z', outcome: 'WRONG_PASSWORD', certificate: { issuer: YESSIGN, serial: 'a' } })

    const all = inv.auditLog({ limit: 100 })
    expect(all.map((e) => e.action)).toEqual(['change-password', 'delete', 'export', 'copy', 'change-password', 'import'])
    expect(all[0]?.locations).toEqual(['/home/u/NPKI/x', '/media/u/USB/NPKI/x'])
    const page1 = inv.auditLog({ limit: 2 })
    const page2 = inv.auditLog({ limit: 2, before: page1[1]!.id })
    expect([...page1, ...page2].map((e) => e.id)).toEqual(all.slice(0, 4).map((e) => e.id))
    expect(inv.auditLog({ limit: 10, before: all[5]!.id })).toEqual([])
  })

  it('refuses secret fields, anywhere in the detail', () => {
    const inv = openTracked(tempDir())
    const secrets: Record<string, unknown>[] = [
      { password: 'Fixture-Pa55word!' },
      { newPassword: 'x' },
      { old_password: 'x' },
      { pin: '1234' },
      { userPin: '1234' },
      { idn: '9001011234567' },
      { ownerIdn: 'x' },
      { authCode: 'ABCD-1234' },
      { authorizationCode: 'x' },
      { referenceNumber: '12345678' },
      { privateKey: 'MIIE...' },
      { dataKey: 'base64' },
      { randomNum: 'x' },
      { secret: 'x' },
      { nested: { deeper: [{ passphrase: 'x' }] } },
      { note: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF...' },
      { note: 'customer 900101-1234567 called' },
    ]
    for (const detail of secrets) {
      const e = thrown(() => inv.audit({ action: 'export', outcome: 'ok', detail } as AuditInput))
      expect(isDojangError(e, 'INVALID_INPUT'), JSON.stringify(Object.keys(detail))).toBe(true)
      // The refusal names the field but never repeats the value.
      for (const v of ['Fixture-Pa55word!', '1234', '9001011234567', 'ABCD-1234', '900101-1234567']) {
        expect((e as Error).message).not.toContain(v)
        expect(JSON.stringify((e as { details: unknown }).details)).not.toContain(v)
      }
    }
    expect(inv.auditLog()).toEqual([])

    // Harmless facts about keys and passwords are fine.
    const ok = inv.audit({
      action: 'export',
      outcome: 'ok',
      detail: { keyScheme: 'pbes2', hasPrivateKey: true, profile: 'bank-compatible', files: 4, pinned: false, serial: '1a2b' },
    })
    expect(ok.detail).toMatchObject({ keyScheme: 'pbes2', profile: 'bank-compatible' })
  })

  it('validates the entry shape', () => {
    const inv = openTracked(tempDir())
    const bad: unknown[] = [
      { action: 'format-disk', outcome: 'ok' },
      { action: 'delete', outcome: 'SOMETHING_ELSE' },
      { action: 'delete', outcome: 'ok', certificate: { issuer: YESSIGN, serial: 'zz' } },
      { action: 'delete', outcome: 'ok', detail: 'not an object' },
    ]
    for (const entry of bad) {
      expect(isDojangError(thrown(() => inv.audit(entry as AuditInput)), 'INVALID_INPUT')).toBe(true)
    }
    expect(inv.audit({ action: 'delete', outcome: 'PERMISSION_DENIED' }).certificate).toBeNull()
  })

  it('classifies key names', () => {
    for (const k of ['password', 'PIN', 'so_pin', 'idn', 'rrn', 'authCode', 'auth_code', 'privateKey', 'KEY', 'iv', 'masterKey', 'pwd']) {
      expect(isSecretKeyName(k), k).toBe(true)
    }
    for (const k of ['keyScheme', 'hasPrivateKey', 'privateKeyScheme', 'pinned', 'spinner', 'validNow', 'hidden', 'location', 'count']) {
      expect(isSecretKeyName(k), k).toBe(false)
    }
    expect(findSecretField({ a: [{ b: { pin: 1 } }] })).toBe('a[0].b.pin')
    expect(findSecretField({ a: 'serial 0012345678901234567890' })).toBeNull()
  })
})

describe('settings', () => {
  it('returns defaults', () => {
    const inv = openTracked(tempDir())
    expect(inv.getSettings()).toEqual({ language: 'ko', notifyDays: [30, 7, 1], extraRoots: [], helpdeskMode: false, caProfiles: [], tokenModules: [] })
    // Callers cannot change the defaults by mutating what they got.
    inv.getSetting('notifyDays').push(99)
    inv.getSetting('extraRoots').push('/x')
    expect(inv.getSetting('notifyDays')).toEqual([30, 7, 1])
    expect(inv.getSetting('extraRoots')).toEqual([])
    expect(SETTING_DEFAULTS.notifyDays).toEqual([30, 7, 1])
  })

  it('round-trips across a restart', () => {
    const dir = tempDir()
    const inv = openTracked(dir)
    inv.setSetting('language', 'en')
    inv.setSetting('notifyDays', [14, 3])
    inv.setSetting('extraRoots', ['/home/u/Documents', 'D:\\백업'])
    inv.setSetting('helpdeskMode', true)
    inv.close()
    const again = openTracked(dir)
    expect(again.getSettings()).toEqual({ language: 'en', notifyDays: [14, 3], extraRoots: ['/home/u/Documents', 'D:\\백업'], helpdeskMode: true, caProfiles: [], tokenModules: [] })
  })

  it('refuses invalid values and unknown keys', () => {
    const inv = openTracked(tempDir())
    // @ts-expect-error: not a language
    expect(isDojangError(thrown(() => inv.setSetting('language', 'fr')), 'INVALID_INPUT')).toBe(true)
    expect(isDojangError(thrown(() => inv.setSetting('notifyDays', [1.5])), 'INVALID_INPUT')).toBe(true)
    // @ts-expect-error: not a known setting
    expect(isDojangError(thrown(() => inv.setSetting('cmpPassword', 'x')), 'INVALID_INPUT')).toBe(true)
    // @ts-expect-error: not a known setting
    expect(isDojangError(thrown(() => inv.getSetting('nope')), 'INVALID_INPUT')).toBe(true)
    expect(inv.getSetting('language')).toBe('ko')
  })

  it('falls back to the default when a stored value does not fit', () => {
    const dir = tempDir()
    openTracked(dir).close()
    const db = new Database(path.join(dir, INVENTORY_FILE))
    db.prepare(`INSERT INTO settings (key, value) VALUES ('language', '"klingon"'), ('notifyDays', 'not json')`).run()
    db.close()
    const inv = openTracked(dir)
    expect(inv.getSetting('language')).toBe('ko')
    expect(inv.getSetting('notifyDays')).toEqual([30, 7, 1])
  })
})
