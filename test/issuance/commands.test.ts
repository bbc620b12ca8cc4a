/**
 * The issue / renew / revoke commands as the app runs them (a Core with listed copies), against OpenSSL's CMP mock
 * behind the test CA front: the renewal window, renewing every copy (each all or nothing; a copy with another
 * password keeps its old pair), revocation moving every copy to the trash, audit entries without secrets.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../main/core/app/commands'
import { renewalWindow } from '../../main/core/app/commands/renewCertificate'
import { openCore, type Core } from '../../main/core/app/core'
import { codeOf, codeOfSync } from '../support/errors'
import { tempDir } from '../support/fixtures'
import { useTestCa } from '../support/testCa'

const REF = '12345678'
const AUTH = 'ABCD-EFGH-1234'
const PASSWORD = 'Dojang!7q9w2'
const OTHER = 'Another!5x8z1'

const ca = useTestCa({ ref: REF, auth: AUTH })

let tmp: { dir: string; cleanup: () => Promise<void> }
let core: Core
const roots = () => ['A', 'B', 'C'].map((r) => join(tmp.dir, r))
beforeEach(async () => {
  tmp = await tempDir('dojang-cmp-cmd-')
  for (const r of roots()) mkdirSync(r)
  core = await openCore({ dataDir: join(tmp.dir, 'data'), diskRoots: roots(), volumeSource: null, secretStore: null, frontEnd: 'app' })
  await COMMANDS.addCaProfile(core, { profile: { name: 'mock', transport: 'http', url: ca.front.url, caCert: ca.pki.caCertPem } })
})
afterEach(async () => {
  core.close()
  await tmp.cleanup()
})

describe('renewal window', () => {
  const now = new Date('2026-12-03T03:00:00Z')
  it('opens at D-30 and closes at expiry; earlier only when forced; expired is CERT_EXPIRED', () => {
    expect(renewalWindow('2027-01-02T00:00:00Z', now, false)).toEqual({ early: false, daysLeft: 30 })
    expect(renewalWindow('2026-12-03T14:00:00Z', now, false).early).toBe(false)
    expect(codeOfSync(() => renewalWindow('2027-01-03T00:00:00Z', now, false))).toBe('INVALID_INPUT')
    expect(renewalWindow('2027-06-01T00:00:00Z', now, true)).toMatchObject({ early: true })
    expect(codeOfSync(() => renewalWindow('2026-12-01T00:00:00Z', now, true))).toBe('CERT_EXPIRED')
  })
})

describe('issue, renew every copy, revoke every copy (app front end)', () => {
  it('works end to end and audits each step without a secret', async () => {
    const [a, b, c] = roots() as [string, string, string]
    const issued = await COMMANDS.issueCertificate(core, { ca: 'mock', referenceNumber: REF, authCode: AUTH, newPassword: PASSWORD, to: { destination: a } })
    expect(issued.ref.location.startsWith(a)).toBe(true)
    expect(issued.certificate.subject).toContain('홍길동')
    await COMMANDS.scan(core)
    const copyB = (await COMMANDS.copyCertificate(core, { location: issued.ref.location, to: { destination: b } })).ref.location
    const copyC = (await COMMANDS.copyCertificate(core, { location: issued.ref.location, to: { destination: c } })).ref.location
    await COMMANDS.changePassword(core, { locations: [copyC], oldPassword: PASSWORD, newPassword: OTHER })
    await COMMANDS.scan(core)
    const oldC = readFileSync(join(copyC, 'signPri.key'))

    const r = await COMMANDS.renewCertificate(core, { location: issued.ref.location, ca: 'mock', password: PASSWORD, alsoUpdate: [copyB, copyC] })
    expect(r.renewed.map((x) => x.location)).toEqual([issued.ref.location, copyB])
    expect(r.failed.map((f) => [f.location, f.error.code])).toEqual([[copyC, 'WRONG_PASSWORD']])
    const newCert = readFileSync(join(issued.ref.location, 'signCert.der'))
    expect(readFileSync(join(copyB, 'signCert.der'))).toEqual(newCert)
    expect(readFileSync(join(copyB, 'signPri.key'))).toEqual(readFileSync(join(issued.ref.location, 'signPri.key')))
    expect(readFileSync(join(copyC, 'signPri.key'))).toEqual(oldC)
    expect(readFileSync(join(copyC, 'signCert.der'))).not.toEqual(newCert)

    // A wrong password renews nothing and never reaches the CA.
    const before = ca.front.requests.length
    expect(await codeOf(COMMANDS.renewCertificate(core, { location: copyB, ca: 'mock', password: 'Wrong!pass99' }))).toBe('WRONG_PASSWORD')
    expect(ca.front.requests.length).toBe(before)

    await COMMANDS.scan(core)
    const v = await COMMANDS.revokeCertificate(core, { location: issued.ref.location, ca: 'mock', reason: 'keyCompromise', codes: { referenceNumber: REF, authCode: AUTH } })
    expect(v.status).toBe(0)
    // Every copy with that issuer + serial goes to the trash. The mock's renewed certificate keeps the old serial
    // (its kur quirk), so C, still holding the old one, is the same revoked serial and goes too.
    expect(v.trashed.map((e) => e.location).sort()).toEqual([issued.ref.location, copyB, copyC].sort())
    for (const l of [issued.ref.location, copyB, copyC]) expect(existsSync(l)).toBe(false)
    expect((await COMMANDS.listTrash(core)).length).toBe(3)

    const audit = await COMMANDS.auditLog(core)
    const mine = audit.filter((e) => ['issue', 'renew', 'revoke'].includes(e.action))
    expect(mine.map((e) => [e.action, e.outcome])).toEqual(expect.arrayContaining([['issue', 'ok'], ['renew', 'ok'], ['renew', 'WRONG_PASSWORD'], ['revoke', 'ok']]))
    expect(mine.find((e) => e.action === 'issue')!.certificate).not.toBeNull()
    expect(mine.find((e) => e.action === 'revoke')!.locations).toHaveLength(3)
    const text = JSON.stringify(audit)
    for (const secret of [AUTH, PASSWORD, OTHER]) expect(text).not.toContain(secret)
  }, 120_000)

  it('renewing a file copy without its password is INVALID_INPUT before the CA is asked', async () => {
    const issued = await COMMANDS.issueCertificate(core, { ca: 'mock', referenceNumber: REF, authCode: AUTH, newPassword: PASSWORD, to: { destination: roots()[0]! } })
    await COMMANDS.scan(core)
    const before = ca.front.requests.length
    const e = await COMMANDS.renewCertificate(core, { location: issued.ref.location, ca: 'mock', force: true }).catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'password' } })
    expect(ca.front.requests.length).toBe(before)
  }, 60_000)

  it('a disk destination without a new password is INVALID_INPUT before the CA is asked', async () => {
    const before = ca.front.requests.length
    const e = await COMMANDS.issueCertificate(core, { ca: 'mock', referenceNumber: REF, authCode: AUTH, to: { destination: roots()[0]! } }).catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'newPassword' } })
    expect(ca.front.requests.length).toBe(before)
  })

  it('a CA profile that does not exist is NOT_FOUND before anything happens; profiles list without the certificate', async () => {
    expect(await codeOf(COMMANDS.issueCertificate(core, { ca: 'nope', referenceNumber: REF, authCode: AUTH, newPassword: PASSWORD, to: { destination: roots()[0]! } }))).toBe('NOT_FOUND')
    const list = await COMMANDS.listCaProfiles(core)
    expect(list).toEqual([expect.objectContaining({ name: 'mock', transport: 'http', endpoint: ca.front.url })])
    expect(JSON.stringify(list)).not.toContain('BEGIN CERTIFICATE')
    expect(await codeOf(COMMANDS.addCaProfile(core, { profile: { name: 'x', transport: 'http', url: 'ftp://h/', caCert: ca.pki.caCertPem } }))).toBe('INVALID_INPUT')
  })
})
