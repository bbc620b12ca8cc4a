import { describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { cert, copy, manualClock, openTracked, tempDir, thrown, YESSIGN } from './helpers'

const counts = { foldersVisited: 12, certificatesFound: 3, problems: 1 }

describe('scan cache', () => {
  it('hits while size and mtime are unchanged and misses otherwise', () => {
    const dir = tempDir()
    const inv = openTracked(dir)
    const p = '/home/u/NPKI/yessign/USER/cn=홍길동/signCert.der'
    const parsed = { serial: '1a2b3c', issuer: YESSIGN, notAfter: '2026-01-01T00:00:00.000Z', hasPrivateKey: true }
    expect(inv.cacheGet(p)).toBeNull()
    inv.cachePut(p, 1234, 1717200000123.456, parsed)

    expect(inv.cacheGet(p, { size: 1234, mtimeMs: 1717200000123.456 })?.parsed).toEqual(parsed)
    expect(inv.cacheGet(p, { size: 1235, mtimeMs: 1717200000123.456 })).toBeNull()
    expect(inv.cacheGet(p, { size: 1234, mtimeMs: 1717200000999 })).toBeNull()
    expect(inv.cacheGet(p)).toMatchObject({ path: p, size: 1234, mtimeMs: 1717200000123.456 })

    // A re-parse replaces the entry.
    inv.cachePut(p, 1300, 1717300000000, { ...parsed, serial: 'beef' })
    expect(inv.cacheGet(p, { size: 1300, mtimeMs: 1717300000000 })?.parsed).toMatchObject({ serial: 'beef' })
    inv.close()

    // And it survives a restart.
    const again = openTracked(dir)
    expect(again.cacheGet(p, { size: 1300, mtimeMs: 1717300000000 })).not.toBeNull()
  })

  it('deletes a path and everything below it, not its string-prefixed siblings', () => {
    const inv = openTracked(tempDir())
    const paths = ['/a/NPKI', '/a/NPKI/x/signCert.der', '/a/NPKI/y/signCert.der', '/a/NPKI2/z/signCert.der', 'C:\\NPKI\\x\\signCert.der']
    for (const p of paths) inv.cachePut(p, 1, 1, null)
    expect(inv.cacheDelete('/a/NPKI')).toBe(3)
    expect(inv.cacheGet('/a/NPKI2/z/signCert.der')).not.toBeNull()
    expect(inv.cacheDelete('C:\\NPKI')).toBe(1)
    expect(inv.cacheDelete('/nothing')).toBe(0)
  })

  it('accepts the kind of public facts a scanner caches', () => {
    const inv = openTracked(tempDir())
    const facts = {
      v: 1,
      sha256: 'ab'.repeat(32),
      cert: {
        name: '(주)도장상사',
        commonName: '(주)도장상사()110111-1234567',
        subject: 'CN=(주)도장상사()110111-1234567,OU=corporation4EC,O=yessign,C=kr',
        issuer: YESSIGN,
        serial: '1a2b3c',
        notAfter: '2026-01-01T00:00:00.000Z',
        policyOid: '1.2.410.200005.1.1.2',
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        hasVid: true,
        fingerprintSha256: 'cd'.repeat(32),
      },
    }
    inv.cachePut('/x/signCert.der', 1500, 1, facts)
    inv.cachePut('/x/signPri.key', 1300, 1, { v: 1, sha256: 'ef'.repeat(32), keyFile: { scheme: 'pbes2', label: 'PBES2', trailingBytes: 46 } })
    expect(inv.cacheGet('/x/signCert.der')?.parsed).toEqual(facts)
    // The same ID-number-shaped text is refused in the audit log, where it can only have come from a person.
    expect(isDojangError(thrown(() => inv.audit({ action: 'import', outcome: 'ok', detail: { note: '110111-1234567' } })), 'INVALID_INPUT')).toBe(true)
  })

  it('refuses secrets in parsed results', () => {
    const inv = openTracked(tempDir())
    const e = thrown(() => inv.cachePut('/x/signPri.key', 1, 1, { scheme: 'seed', password: 'Fixture-Pa55word!' }))
    expect(isDojangError(e, 'INVALID_INPUT')).toBe(true)
    const pem = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----'
    expect(isDojangError(thrown(() => inv.cachePut('/x/key.pem', 1, 1, { text: pem })), 'INVALID_INPUT')).toBe(true)
    expect(inv.cacheGet('/x/signPri.key')).toBeNull()
  })
})

describe('scan runs and findings', () => {
  it('records a run from start to finish', () => {
    const clock = manualClock('2025-06-01T10:00:00.000Z')
    const inv = openTracked(tempDir(), { now: clock.now })
    expect(inv.latestScanRun()).toBeNull()
    const id = inv.beginScanRun(['/home/u/NPKI', '/media/u/USB/NPKI'])
    expect(inv.getScanRun(id)).toMatchObject({ status: 'running', finishedAt: null, roots: ['/home/u/NPKI', '/media/u/USB/NPKI'] })
    clock.advance(2500)
    const run = inv.finishScanRun(id, counts, 'finished')
    expect(run).toEqual({
      id,
      startedAt: '2025-06-01T10:00:00.000Z',
      finishedAt: '2025-06-01T10:00:02.500Z',
      roots: ['/home/u/NPKI', '/media/u/USB/NPKI'],
      counts,
      status: 'finished',
    })
    expect(inv.latestScanRun()).toEqual(run)
    expect(isDojangError(thrown(() => inv.finishScanRun(id, counts, 'failed')), 'CONFLICT')).toBe(true)
    expect(isDojangError(thrown(() => inv.finishScanRun(999, counts, 'failed')), 'NOT_FOUND')).toBe(true)
    expect(isDojangError(thrown(() => inv.finishScanRun(id, { ...counts, problems: -1 }, 'failed')), 'INVALID_INPUT')).toBe(true)
  })

  it('stores findings and returns those of the latest finished run', () => {
    const inv = openTracked(tempDir())
    expect(inv.latestFindings()).toBeNull()
    const r1 = inv.beginScanRun(['/home/u/NPKI'])
    inv.addFindings(r1, [
      { kind: 'missing-private-key', severity: 'warning', certificate: { issuer: YESSIGN, serial: '00AB' }, location: '/home/u/NPKI/x' },
      { kind: 'unreadable-folder', severity: 'error', location: '/home/u/NPKI/locked', detail: { errno: 'EACCES' } },
    ])
    inv.finishScanRun(r1, counts, 'finished')
    const r2 = inv.beginScanRun(['/home/u/NPKI'])
    inv.addFindings(r2, [{ kind: 'expired', severity: 'info' }])
    inv.finishScanRun(r2, counts, 'cancelled')

    const latest = inv.latestFindings()
    expect(latest?.run.id).toBe(r1)
    expect(latest?.findings).toEqual([
      {
        id: expect.any(Number),
        runId: r1,
        kind: 'missing-private-key',
        severity: 'warning',
        certificate: { issuer: YESSIGN, serial: 'ab' },
        location: '/home/u/NPKI/x',
        detail: {},
      },
      {
        id: expect.any(Number),
        runId: r1,
        kind: 'unreadable-folder',
        severity: 'error',
        certificate: null,
        location: '/home/u/NPKI/locked',
        detail: { errno: 'EACCES' },
      },
    ])
    expect(inv.findings(r2).map((f) => f.kind)).toEqual(['expired'])
  })

  it('refuses a batch with a secret or a bad finding as a whole', () => {
    const inv = openTracked(tempDir())
    const run = inv.beginScanRun([])
    const bad = [
      { kind: 'ok-one', severity: 'info' as const },
      { kind: 'weak-password', severity: 'warning' as const, detail: { pin: '1234' } },
    ]
    const e = thrown(() => inv.addFindings(run, bad))
    expect(isDojangError(e, 'INVALID_INPUT')).toBe(true)
    expect(JSON.stringify(e)).not.toContain('1234')
    expect((e as Error).message).not.toContain('1234')
    // @ts-expect-error: not a severity
    expect(isDojangError(thrown(() => inv.addFindings(run, [{ kind: 'x', severity: 'fatal' }])), 'INVALID_INPUT')).toBe(true)
    expect(isDojangError(thrown(() => inv.addFindings(run, [{ kind: 'Not A Kind!', severity: 'info' }])), 'INVALID_INPUT')).toBe(true)
    expect(isDojangError(thrown(() => inv.addFindings(12345, [])), 'NOT_FOUND')).toBe(true)
    expect(inv.findings(run)).toEqual([])
  })

  it('keeps only the latest runs, dropping old findings with them and keeping copies', () => {
    const inv = openTracked(tempDir())
    inv.upsertCertificate(cert())
    const first = inv.beginScanRun(['/r'])
    inv.addFindings(first, [{ kind: 'old', severity: 'info' }])
    inv.recordCopy(copy(), first)
    inv.finishScanRun(first, counts, 'finished')
    let last = first
    for (let i = 0; i < 60; i++) {
      last = inv.beginScanRun(['/r'])
      inv.finishScanRun(last, counts, 'finished')
    }
    expect(inv.getScanRun(first)).toBeNull()
    expect(inv.findings(first)).toEqual([]) // cascaded: foreign keys are on
    expect(inv.getScanRun(last)).not.toBeNull()
    expect(inv.getScanRun(last - 49)).not.toBeNull()
    expect(inv.getScanRun(last - 50)).toBeNull()
    const k = inv.getCertificate(YESSIGN, '1a2b3c')?.copies[0]
    expect(k?.location).toBe(copy().location)
    expect(k?.lastRunId).toBeNull()
  })
})
