import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { computeFindings, deepScan, scan, scanNpkiRoots, type CertFolderScan, type Finding } from '../../main/core/scan'
import { HONG, HONG_DN, PYPINKSIGN, pfxBytes, scratch, writeHong, writePyPinkSign } from './helpers'

const NOW = new Date('2030-06-01T00:00:00.000Z')
const kinds = (fs: Finding[]) => fs.map((f) => f.kind)

describe('findings', () => {
  it('finds nothing to say about one complete certificate in a standard place', async () => {
    const root = join(await scratch(), 'NPKI')
    writeHong(join(root, 'testsign', 'USER', HONG_DN), { extra: { CaPubs: 'chain', '.DS_Store': 'x', 'Thumbs.db': 'x' } })
    expect(computeFindings(await scanNpkiRoots([root]), { now: NOW })).toEqual([])
  })

  it('reports duplicates, and copies that differ, with every location', async () => {
    const dir = await scratch()
    const a = writeHong(join(dir, 'a', 'NPKI', 'testsign', 'USER', HONG_DN))
    const b = writeHong(join(dir, 'b', 'NPKI', 'testsign', 'USER', HONG_DN))
    const same = await scanNpkiRoots([join(dir, 'a', 'NPKI'), join(dir, 'b', 'NPKI')])
    expect(computeFindings(same, { now: NOW })).toEqual([
      {
        kind: 'duplicate',
        code: 'duplicate',
        params: { copies: 2 },
        severity: 'info',
        certificate: { issuer: HONG.issuer, serial: HONG.serial, name: '홍길동' },
        locations: [a, b],
        message: 'This certificate is stored in 2 places.',
        detail: { copies: 2, code: 'duplicate' },
      },
    ])

    const c = writeHong(join(dir, 'c', 'NPKI', 'testsign', 'USER', HONG_DN), { signPriSuffix: Buffer.from('another password') })
    const differ = computeFindings(await scanNpkiRoots([join(dir, 'a', 'NPKI'), join(dir, 'b', 'NPKI'), join(dir, 'c', 'NPKI')]), { now: NOW })
    expect(kinds(differ)).toEqual(['copies-differ', 'duplicate'])
    expect(differ[0]).toMatchObject({ severity: 'warning', locations: [a, b, c], detail: { copies: 3, versions: 2 } })
    expect(differ[1]).toMatchObject({ severity: 'info', locations: [a, b, c] })
  })

  it('reports expired and expiring certificates against an injected clock and window', async () => {
    const root = join(await scratch(), 'NPKI')
    const hong = writeHong(join(root, 'testsign', 'USER', HONG_DN))
    const old = writePyPinkSign(join(root, 'yessign', 'USER', 'cn=HKD'))
    const r = await scanNpkiRoots([root])
    const at = (iso: string, days?: number) => computeFindings(r, { now: new Date(iso), ...(days === undefined ? {} : { expiringWithinDays: days }) })

    // PyPinkSign's certificate expired on 2020-03-25; 홍길동's runs to 2044-12-27T00:00:00Z.
    expect(at('2030-01-01T00:00:00Z')).toEqual([
      expect.objectContaining({ kind: 'expired', severity: 'warning', locations: [old], certificate: { ...PYPINKSIGN, name: 'HKD' } }),
    ])
    const expiring = at('2044-12-10T00:00:00Z').filter((f) => f.kind === 'expiring')
    expect(expiring).toEqual([
      expect.objectContaining({ severity: 'warning', locations: [hong], code: 'expiring', params: { notAfter: HONG.notAfter, daysLeft: 17 }, detail: { notAfter: HONG.notAfter, daysLeft: 17, code: 'expiring' }, message: expect.stringContaining('in 17 days') }),
    ])
    expect(at('2044-12-10T00:00:00Z', 10).filter((f) => f.kind === 'expiring')).toEqual([])
    expect(at('2044-11-26T00:00:00Z').filter((f) => f.kind === 'expiring')).toEqual([]) // 31 days
    expect(at('2044-11-27T00:00:00Z').filter((f) => f.kind === 'expiring')).toHaveLength(1) // exactly 30 days
    // notAfter itself is still valid (RFC 5280); one second later it is not.
    expect(at('2044-12-27T00:00:00Z').find((f) => f.locations[0] === hong)).toMatchObject({ kind: 'expiring', detail: { daysLeft: 0 } })
    expect(at('2044-12-27T00:00:01Z').filter((f) => f.kind === 'expired').map((f) => f.locations[0]).sort()).toEqual([hong, old].sort())
    // Not yet valid is not "expiring".
    expect(at('2024-06-01T00:00:00Z').filter((f) => f.locations[0] === hong)).toEqual([])
  })

  it('reports missing, unreadable and damaged files of a copy', async () => {
    const root = join(await scratch(), 'NPKI')
    const noKey = writeHong(join(root, 'testsign', 'USER', 'cn=nokey'), { names: { signPri: null } })
    const badKey = writeHong(join(root, 'testsign', 'USER', 'cn=badkey'), { names: { signPri: null } })
    writeFileSync(join(badKey, 'signPri.key'), Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]))
    const badCert = writeHong(join(root, 'testsign', 'USER', 'cn=badcert'), { names: { signCert: null } })
    writeFileSync(join(badCert, 'signCert.der'), 'definitely not DER')
    const halfKm = writeHong(join(root, 'testsign', 'USER', 'cn=halfkm'), { names: { kmPri: null } })

    const f = computeFindings(await scanNpkiRoots([root]), { now: NOW })
    const at = (loc: string) => f.filter((x) => x.locations.includes(loc) && x.kind !== 'duplicate' && x.kind !== 'copies-differ')
    expect(kinds(at(noKey))).toEqual(['missing-key'])
    expect(at(noKey)[0]).toMatchObject({ severity: 'warning', certificate: { serial: HONG.serial }, detail: { role: 'signPri' } })
    expect(kinds(at(badKey))).toEqual(['unreadable-key'])
    expect(at(badKey)[0]?.message).toMatch(/signPri\.key/)
    expect(kinds(at(badCert))).toEqual(['corrupt-certificate'])
    expect(at(badCert)[0]?.certificate).toBeUndefined()
    expect(kinds(at(halfKm))).toEqual(['incomplete-km-pair'])
    expect(at(halfKm)[0]).toMatchObject({ severity: 'info', detail: { missing: 'kmPri.key' } })
    // Each finding carries a stable code and the parameters its sentence needs (the screens word them).
    expect(at(badKey)[0]).toMatchObject({ code: 'unreadable-key', params: { role: 'signPri', file: 'signPri.key' } })
    expect(at(halfKm)[0]).toMatchObject({ code: 'incomplete-km-pair', params: { missing: 'kmPri.key' }, detail: { code: 'incomplete-km-pair' } })
  })

  it('flags files that do not belong in NPKI folders, worst first', async () => {
    const dir = await scratch()
    const root = join(dir, 'NPKI')
    const dn = writeHong(join(root, 'testsign', 'USER', HONG_DN), {
      extra: { '보안카드.JPG': 'scan', 'backup.pfx': pfxBytes(), CaPubs: 'x', '._signCert.der': 'appledouble' },
    })
    writeFileSync(join(root, 'cache.bin'), 'x')
    writeFileSync(join(root, 'password.txt'), 'x')
    // A certificate folder outside any NPKI tree: its neighbours count too.
    const loose = writePyPinkSign(join(dir, 'Desktop', 'cert'))
    writeFileSync(join(loose, 'memo.hwp'), 'x')
    mkdirSync(join(loose, 'subfolder'))

    const r = await scan([
      { path: root, kind: 'npki' },
      { path: join(dir, 'Desktop'), kind: 'deep' },
    ])
    const suspicious = computeFindings(r, { now: new Date('2019-01-01T00:00:00Z') }).filter((f) => f.kind === 'suspicious-file')
    expect(suspicious.map((f) => [f.locations[0], f.severity])).toEqual([
      [join(loose, 'memo.hwp'), 'critical'],
      [join(root, 'password.txt'), 'critical'],
      [join(dn, '보안카드.JPG'), 'critical'],
      [join(root, 'cache.bin'), 'warning'],
    ])
    expect(suspicious[0]?.message).toMatch(/security cards/)
    expect(suspicious.map((f) => f.code)).toEqual(['sensitive-file', 'sensitive-file', 'sensitive-file', 'suspicious-file'])
  })

  it('advises about removable drives, stray copies and PFX files, odd layouts and related stores', async () => {
    const dir = await scratch()
    const usb = writeHong(join(dir, 'usb', 'NPKI', 'testsign', 'USER', HONG_DN))
    const odd = writePyPinkSign(join(dir, 'home', 'NPKI', 'yessign', 'cn=nouserfolder'))
    const strayInNpki = writeHong(join(dir, 'home', 'Downloads', 'backup', 'npki', 'testsign', 'USER', HONG_DN))
    const strayLoose = writePyPinkSign(join(dir, 'home', 'Desktop', 'cert'))
    mkdirSync(join(dir, 'home', 'Documents'), { recursive: true })
    writeFileSync(join(dir, 'home', 'Documents', 'mine.p12'), pfxBytes())
    writeFileSync(join(dir, 'home', 'NPKI', 'yessign', 'kept.pfx'), pfxBytes())
    mkdirSync(join(dir, 'home', 'GPKI'))

    const r = await scan([
      { path: join(dir, 'usb', 'NPKI'), kind: 'npki', medium: 'removable' },
      { path: join(dir, 'home', 'NPKI'), kind: 'npki' },
      { path: join(dir, 'home'), kind: 'deep' },
    ])
    const f = computeFindings(r, { now: new Date('2019-01-01T00:00:00Z') })
    const of = (kind: string) => f.filter((x) => x.kind === kind).map((x) => x.locations)
    expect(of('removable-medium')).toEqual([[usb]])
    expect(f.find((x) => x.kind === 'removable-medium')?.certificate?.serial).toBe(HONG.serial)
    expect(of('stray-copy')).toEqual([[strayLoose], [strayInNpki]])
    expect(f.filter((x) => x.kind === 'stray-copy').map((x) => x.detail?.inNpki)).toEqual([false, true])
    expect(f.filter((x) => x.kind === 'stray-copy').map((x) => x.code)).toEqual(['stray-copy', 'stray-npki-copy'])
    expect(of('stray-pfx')).toEqual([[join(dir, 'home', 'Documents', 'mine.p12')]]) // kept.pfx is inside an NPKI root
    expect(of('nonstandard-layout')).toEqual([[odd]])
    // GPKI is a sibling of the NPKI root and also inside the deep-scanned home: reported once.
    expect(of('related-store')).toEqual([[join(dir, 'home', 'GPKI')]])
    expect(f.find((x) => x.kind === 'related-store')?.code).toBe('gpki-store')
    expect(of('duplicate')).toEqual([
      [strayLoose, odd],
      [strayInNpki, usb],
    ])
  })

  it('labels GPKI certificates, and sorts critical before warning before info', () => {
    const base: CertFolderScan = {
      location: '/h/GPKI/x',
      root: '/h/NPKI',
      scanRoot: '/h/NPKI',
      scanKind: 'npki',
      medium: 'disk',
      inNpki: true,
      layout: 'standard',
      files: { signCert: 'signCert.der' },
      pfx: [],
      other: ['scan.png'],
      contentHash: 'h',
      problems: [],
      fromCache: false,
      id: { issuer: 'CN=GPKI CA', serial: '01' },
      certificate: {
        name: '공무원',
        commonName: '공무원',
        subject: 'CN=공무원',
        issuer: 'CN=GPKI CA',
        ca: 'unknown',
        caNameKo: '',
        serial: '01',
        notBefore: '2020-01-01T00:00:00.000Z',
        notAfter: '2040-01-01T00:00:00.000Z',
        purposeKo: '',
        purposeEn: '',
        ownerType: 'personal',
        policyOid: '1.2.410.100001.2.2.1',
        keyUsage: [],
        hasVid: false,
        fingerprintSha256: 'ff',
        kind: 'sign',
        policyCategory: 'gpki',
      },
    }
    const input = { certificates: [base] }
    const snapshot = JSON.stringify(input)
    const f = computeFindings(input, { now: NOW })
    expect(f.map((x) => [x.severity, x.kind])).toEqual([
      ['critical', 'suspicious-file'],
      ['warning', 'missing-key'],
      ['info', 'gpki-certificate'],
    ])
    expect(JSON.stringify(input)).toBe(snapshot) // pure: the input is untouched
    expect(computeFindings(input, { now: NOW })).toEqual(f)
  })
})

describe('findings from a deep scan of a home folder', () => {
  it('sees the stray Downloads backup as a duplicate of the copy in the standard root', async () => {
    const home = await scratch()
    const real = writeHong(join(home, 'NPKI', 'testsign', 'USER', HONG_DN))
    const backup = writeHong(join(home, 'Downloads', 'backup', 'npki', 'testsign', 'user', HONG_DN))
    const r = await scan([
      { path: home, kind: 'deep' },
      { path: join(home, 'NPKI'), kind: 'npki' },
    ])
    const f = computeFindings(r, { now: NOW })
    expect(kinds(f)).toEqual(['stray-copy', 'duplicate'])
    expect(f[0]?.locations).toEqual([backup])
    expect(f[1]?.locations).toEqual([backup, real])

    // Alone, a deep scan cannot tell the standard root from a backup: both are reported.
    const alone = computeFindings(await deepScan([home]), { now: NOW })
    expect(alone.filter((x) => x.kind === 'stray-copy').map((x) => x.locations[0])).toEqual([backup, real])
  })
})
