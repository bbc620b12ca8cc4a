import { describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { normalizeSerial } from '../../main/core/inventory'
import { cert, copy, DAY, manualClock, openTracked, SIGNKOREA, tempDir, thrown, YESSIGN } from './helpers'

describe('certificates and copies', () => {
  it('de-duplicates by issuer and serial and keeps first seen', () => {
    const clock = manualClock('2025-06-01T00:00:00.000Z')
    const inv = openTracked(tempDir(), { now: clock.now })
    const first = inv.upsertCertificate(cert({ serial: '00:1A:2B:3C' }))
    expect(first.serial).toBe('1a2b3c')
    clock.advance(DAY)
    const second = inv.upsertCertificate(cert({ serial: '1a2b3c', displayName: '홍길동 (갱신 정보)' }))
    expect(second.firstSeen).toBe('2025-06-01T00:00:00.000Z')
    expect(second.lastSeen).toBe('2025-06-02T00:00:00.000Z')
    expect(second.displayName).toBe('홍길동 (갱신 정보)')

    // Same serial from another CA is another certificate.
    inv.upsertCertificate(cert({ issuer: SIGNKOREA }))
    inv.recordCopy(copy())
    inv.recordCopy(copy({ issuer: SIGNKOREA, location: '/home/u/NPKI/SignKorea/USER/cn=홍길동' }))
    expect(inv.listCertificates()).toHaveLength(2)
  })

  it('records several copies of one certificate with their files', () => {
    const inv = openTracked(tempDir())
    inv.upsertCertificate(cert())
    const disk = inv.recordCopy(copy())
    expect(disk.files).toEqual({ signCert: true, signPri: true, kmCert: false, kmPri: false, pfx: false })
    inv.recordCopy(
      copy({
        medium: 'removable',
        location: '/media/u/USB/NPKI/yessign/USER/cn=홍길동',
        root: '/media/u/USB/NPKI',
        files: { signCert: true, signPri: true, kmCert: true, kmPri: true },
        keyScheme: 'pbes2/aes-256-cbc',
        contentHash: null,
      }),
    )
    inv.recordCopy(copy({ medium: 'other', location: '/home/u/Downloads/backup.pfx', root: '/home/u', files: { pfx: true }, keyScheme: null }))

    const c = inv.getCertificate(YESSIGN, '1A2B3C')
    expect(c?.copies.map((k) => k.medium)).toEqual(['disk', 'removable', 'other'])
    expect(c?.copies[1]).toMatchObject({
      issuer: YESSIGN,
      serial: '1a2b3c',
      keyScheme: 'pbes2/aes-256-cbc',
      contentHash: null,
      files: { signCert: true, signPri: true, kmCert: true, kmPri: true, pfx: false },
      missingSince: null,
      lastRunId: null,
    })
    expect(c?.copies[2]?.files.pfx).toBe(true)

    // Recording the same location again updates it instead of adding a copy.
    inv.recordCopy(copy({ files: { signCert: true } }))
    const again = inv.getCertificate(YESSIGN, '1a2b3c')
    expect(again?.copies).toHaveLength(3)
    expect(again?.copies[0]?.files.signPri).toBe(false)
  })

  it('refuses a copy of an unknown certificate and malformed input', () => {
    const inv = openTracked(tempDir())
    expect(isDojangError(thrown(() => inv.recordCopy(copy())), 'NOT_FOUND')).toBe(true)
    expect(isDojangError(thrown(() => inv.upsertCertificate(cert({ serial: 'xyz' }))), 'INVALID_INPUT')).toBe(true)
    expect(isDojangError(thrown(() => inv.upsertCertificate(cert({ notAfter: 'someday' }))), 'INVALID_INPUT')).toBe(true)
    expect(isDojangError(thrown(() => inv.upsertCertificate(cert({ fingerprintSha256: 'abc' }))), 'INVALID_INPUT')).toBe(true)
    inv.upsertCertificate(cert())
    // @ts-expect-error: not a medium
    expect(isDojangError(thrown(() => inv.recordCopy(copy({ medium: 'floppy' }))), 'INVALID_INPUT')).toBe(true)
  })

  it('moves a location to the certificate now found there (a renewal replaced the folder)', () => {
    const clock = manualClock()
    const inv = openTracked(tempDir(), { now: clock.now })
    inv.upsertCertificate(cert())
    inv.upsertCertificate(cert({ serial: 'beef', notAfter: '2027-01-01T00:00:00Z' }))
    inv.recordCopy(copy())
    clock.advance(DAY)
    const moved = inv.recordCopy(copy({ serial: 'beef' }))
    expect(moved.serial).toBe('beef')
    expect(moved.firstSeen).toBe(clock.now().toISOString())
    expect(inv.getCertificate(YESSIGN, 'beef')?.copies).toHaveLength(1)
    // The old certificate is kept as history but no longer listed.
    expect(inv.getCertificate(YESSIGN, '1a2b3c')?.copies).toEqual([])
    expect(inv.listCertificates().map((c) => c.serial)).toEqual(['beef'])
  })

  it('removes a copy', () => {
    const inv = openTracked(tempDir())
    inv.upsertCertificate(cert())
    inv.recordCopy(copy())
    inv.recordCopy(copy({ location: '/elsewhere/cn=홍길동', root: '/elsewhere' }))
    expect(inv.removeCopy('/elsewhere/cn=홍길동')).toBe(true)
    expect(inv.removeCopy('/elsewhere/cn=홍길동')).toBe(false)
    expect(inv.getCertificate(YESSIGN, '1a2b3c')?.copies.map((k) => k.location)).toEqual([copy().location])
  })

  it('normalizes serials', () => {
    expect(normalizeSerial('00:0A:FF')).toBe('aff')
    expect(normalizeSerial('0000')).toBe('0')
    expect(() => normalizeSerial('12g')).toThrow()
  })
})

describe('markMissing', () => {
  function setup() {
    const clock = manualClock()
    const inv = openTracked(tempDir(), { now: clock.now })
    const loc = {
      a: '/home/u/NPKI/yessign/USER/cn=a',
      b: '/home/u/NPKI/yessign/USER/cn=b',
      sibling: '/home/u/NPKI2/yessign/USER/cn=c', // shares the string prefix, not the folder
      usb: '/media/u/USB/NPKI/yessign/USER/cn=d',
    }
    for (let i = 0; i < 4; i++) inv.upsertCertificate(cert({ serial: `a${i}` }))
    const run1 = inv.beginScanRun(['/home/u/NPKI', '/home/u/NPKI2', '/media/u/USB/NPKI'])
    inv.recordCopy(copy({ serial: 'a0', location: loc.a }), run1)
    inv.recordCopy(copy({ serial: 'a1', location: loc.b }), run1)
    inv.recordCopy(copy({ serial: 'a2', location: loc.sibling, root: '/home/u/NPKI2' }), run1)
    inv.recordCopy(copy({ serial: 'a3', location: loc.usb, medium: 'removable', root: '/media/u/USB/NPKI' }), run1)
    inv.finishScanRun(run1, { foldersVisited: 4, certificatesFound: 4, problems: 0 }, 'finished')
    clock.advance(DAY)
    return { inv, clock, loc }
  }

  it('flags copies under a scanned root that a finished run did not see', () => {
    const { inv, clock, loc } = setup()
    const run2 = inv.beginScanRun(['/home/u/NPKI'])
    inv.recordCopy(copy({ serial: 'a0', location: loc.a }), run2)
    clock.advance(1000)
    const finished = inv.finishScanRun(run2, { foldersVisited: 1, certificatesFound: 1, problems: 0 }, 'finished')

    expect(inv.markMissing(run2, '/home/u/NPKI')).toBe(1)
    const byLoc = new Map(inv.listCertificates().flatMap((c) => c.copies.map((k) => [k.location, k] as const)))
    expect(byLoc.get(loc.b)?.missingSince).toBe(finished.finishedAt)
    expect(byLoc.get(loc.a)?.missingSince).toBeNull()
    expect(byLoc.get(loc.sibling)?.missingSince).toBeNull()
    expect(byLoc.get(loc.usb)?.missingSince).toBeNull()
    // Idempotent: an already flagged copy keeps its first "missing since".
    expect(inv.markMissing(run2, '/home/u/NPKI/')).toBe(0)

    // Seen again: the flag goes away.
    inv.recordCopy(copy({ serial: 'a1', location: loc.b }))
    expect(inv.getCertificate(YESSIGN, 'a1')?.copies[0]?.missingSince).toBeNull()
  })

  it('scopes by medium', () => {
    const { inv } = setup()
    const run2 = inv.beginScanRun(['/media'])
    inv.finishScanRun(run2, { foldersVisited: 0, certificatesFound: 0, problems: 0 }, 'finished')
    expect(inv.markMissing(run2, 'removable')).toBe(1)
    expect(inv.getCertificate(YESSIGN, 'a3')?.copies[0]?.missingSince).not.toBeNull()
    expect(inv.getCertificate(YESSIGN, 'a0')?.copies[0]?.missingSince).toBeNull()
    // A missing copy does not count for the medium tab, but the certificate stays in the full list.
    expect(inv.listCertificates({ medium: 'removable' })).toEqual([])
    expect(inv.listCertificates().map((c) => c.serial)).toContain('a3')
  })

  it('refuses runs that did not finish', () => {
    const { inv } = setup()
    const running = inv.beginScanRun(['/home/u/NPKI'])
    expect(isDojangError(thrown(() => inv.markMissing(running, '/home/u/NPKI')), 'CONFLICT')).toBe(true)
    inv.finishScanRun(running, { foldersVisited: 0, certificatesFound: 0, problems: 1 }, 'cancelled')
    expect(isDojangError(thrown(() => inv.markMissing(running, '/home/u/NPKI')), 'CONFLICT')).toBe(true)
    expect(isDojangError(thrown(() => inv.markMissing(9999, 'disk')), 'NOT_FOUND')).toBe(true)
    expect(inv.listCertificates().flatMap((c) => c.copies).every((k) => k.missingSince === null)).toBe(true)
  })

  it('does not flag a copy seen by a later run', () => {
    const { inv, loc } = setup()
    const run2 = inv.beginScanRun(['/home/u/NPKI'])
    inv.finishScanRun(run2, { foldersVisited: 0, certificatesFound: 0, problems: 0 }, 'finished')
    const run3 = inv.beginScanRun(['/home/u/NPKI'])
    inv.recordCopy(copy({ serial: 'a0', location: loc.a }), run3)
    inv.recordCopy(copy({ serial: 'a1', location: loc.b }), run3)
    inv.finishScanRun(run3, { foldersVisited: 2, certificatesFound: 2, problems: 0 }, 'finished')
    expect(inv.markMissing(run2, '/home/u/NPKI')).toBe(0)
  })
})

describe('listCertificates', () => {
  function setup() {
    const clock = manualClock('2025-06-01T00:00:00.000Z')
    const inv = openTracked(tempDir(), { now: clock.now })
    const add = (serial: string, over: Parameters<typeof cert>[0], medium: 'disk' | 'removable' | 'keychain' = 'disk') => {
      inv.upsertCertificate(cert({ serial, ...over }))
      inv.recordCopy(copy({ serial, issuer: over?.issuer ?? YESSIGN, medium, location: `/${medium}/${serial}`, root: `/${medium}` }))
    }
    add('01', { displayName: '홍길동', notAfter: '2025-06-20T00:00:00Z' }) // D-19
    add('02', { displayName: '김영희', issuer: SIGNKOREA, ca: 'SignKorea', subject: 'CN=김영희,O=SignKorea,C=KR', notAfter: '2025-09-01T00:00:00Z' }, 'removable')
    add('03', { displayName: 'Alice Kim', subject: 'CN=Alice Kim(AK)001,O=yessign,C=kr', notAfter: '2025-05-01T00:00:00Z' }) // expired
    add('04', { displayName: '(주)도장상사', subject: 'CN=(주)도장상사,OU=corporation4EC,O=yessign,C=kr', notAfter: '2025-06-05T00:00:00Z' }, 'keychain') // D-4
    return { inv, clock }
  }

  it('sorts by expiry and pages', () => {
    const { inv } = setup()
    expect(inv.listCertificates().map((c) => c.serial)).toEqual(['3', '4', '1', '2'])
    expect(inv.listCertificates({ limit: 2 }).map((c) => c.serial)).toEqual(['3', '4'])
    const page2 = inv.listCertificates({ limit: 2, offset: 2 })
    expect(page2.map((c) => c.serial)).toEqual(['1', '2'])
    expect(page2.map((c) => c.copies.length)).toEqual([1, 1])
    expect(inv.listCertificates({ offset: 3 }).map((c) => c.serial)).toEqual(['2'])
  })

  it('searches names and issuers case-insensitively, Korean included', () => {
    const { inv } = setup()
    expect(inv.listCertificates({ search: '길동' }).map((c) => c.displayName)).toEqual(['홍길동'])
    expect(inv.listCertificates({ search: 'alice' }).map((c) => c.serial)).toEqual(['3'])
    expect(inv.listCertificates({ search: 'ALICE KIM' }).map((c) => c.serial)).toEqual(['3'])
    expect(inv.listCertificates({ search: 'signkorea' }).map((c) => c.serial)).toEqual(['2'])
    expect(inv.listCertificates({ search: 'YESSIGNCA' }).map((c) => c.serial).sort()).toEqual(['1', '3', '4'])
    expect(inv.listCertificates({ search: '도장' }).map((c) => c.serial)).toEqual(['4'])
    // A query typed on macOS may arrive decomposed (NFD): it still matches.
    expect(inv.listCertificates({ search: '김영희'.normalize('NFD') }).map((c) => c.serial)).toEqual(['2'])
    // LIKE wildcards are plain characters here.
    expect(inv.listCertificates({ search: '%' })).toEqual([])
    expect(inv.listCertificates({ search: '   ' })).toHaveLength(4)
  })

  it('filters by medium', () => {
    const { inv } = setup()
    expect(inv.listCertificates({ medium: 'removable' }).map((c) => c.serial)).toEqual(['2'])
    expect(inv.listCertificates({ medium: 'keychain' }).map((c) => c.serial)).toEqual(['4'])
    expect(inv.listCertificates({ medium: 'token' })).toEqual([])
    const disk = inv.listCertificates({ medium: 'disk' })
    expect(disk.map((c) => c.serial)).toEqual(['3', '1'])
    expect(disk[0]?.copies).toHaveLength(1)
  })

  it('filters by expiry', () => {
    const { inv, clock } = setup()
    expect(inv.listCertificates({ expiringWithinDays: 30 }).map((c) => c.serial)).toEqual(['4', '1'])
    expect(inv.listCertificates({ expiringWithinDays: 7 }).map((c) => c.serial)).toEqual(['4'])
    expect(inv.listCertificates({ expired: true }).map((c) => c.serial)).toEqual(['3'])
    expect(inv.listCertificates({ expired: false }).map((c) => c.serial)).toEqual(['4', '1', '2'])
    // An explicit reference time, and the inventory clock moving.
    expect(inv.listCertificates({ expiringWithinDays: 7, now: new Date('2025-06-15T00:00:00Z') }).map((c) => c.serial)).toEqual(['1'])
    clock.set('2025-06-10T00:00:00Z')
    expect(inv.listCertificates({ expiringWithinDays: 30 }).map((c) => c.serial)).toEqual(['1'])
    expect(inv.listCertificates({ expiringWithinDays: 30, search: '홍', medium: 'disk' }).map((c) => c.serial)).toEqual(['1'])
    expect(isDojangError(thrown(() => inv.listCertificates({ expiringWithinDays: -1 })), 'INVALID_INPUT')).toBe(true)
  })

  it('batches a thousand copies in one transaction', () => {
    const inv = openTracked(tempDir())
    const run = inv.beginScanRun(['/bulk'])
    inv.transaction(() => {
      for (let i = 0; i < 1000; i++) {
        const serial = (0x10000 + i).toString(16)
        inv.upsertCertificate(cert({ serial, displayName: `사용자${i}` }))
        inv.recordCopy(copy({ serial, location: `/bulk/${i}`, root: '/bulk' }), run)
      }
    })
    inv.finishScanRun(run, { foldersVisited: 1000, certificatesFound: 1000, problems: 0 }, 'finished')
    expect(inv.listCertificates()).toHaveLength(1000)
    expect(inv.listCertificates({ search: '사용자999' })).toHaveLength(1)
  })

  it('rolls a failed batch back entirely', () => {
    const inv = openTracked(tempDir())
    expect(() =>
      inv.transaction(() => {
        inv.upsertCertificate(cert())
        inv.recordCopy(copy())
        inv.recordCopy(copy({ serial: 'not-hex' }))
      }),
    ).toThrow()
    expect(inv.getCertificate(YESSIGN, '1a2b3c')).toBeNull()
  })
})
