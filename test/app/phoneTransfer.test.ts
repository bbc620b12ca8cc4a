/** The phone transfer commands over a real core (frontEnd 'app'), with a phone simulated in Node on 127.0.0.1. */
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DojangEvent } from '../../common/contract'
import { COMMANDS } from '../../main/core/app/commands'
import { openCore, type Core } from '../../main/core/app/core'
import { configureTransfer } from '../../main/core/app/transferSessions'
import { decodeSharePayload } from '../../main/core/transfer/payload'
import * as phone from '../../main/core/transfer/phone/crypto'
import { qrPng } from '../../main/core/transfer/qr'
import { checkPasswordRules } from '../../common/passwordRules'
import { importPfx } from '../../main/core/npki/pfx'
import { codeOf } from '../support/errors'
import { copyHongFolder, FIXTURE_PASSWORD, fixture, tempDir } from '../support/fixtures'
import { openssl } from '../support/openssl'
import { decodeQr } from '../transfer/browser'
import { parseSessionUrl, post, TEST_HOST } from '../transfer/support'

let tmp: { dir: string; cleanup: () => Promise<void> }
let core: Core
let folder: string
const events: DojangEvent[] = []

beforeEach(async () => {
  tmp = await tempDir()
  events.length = 0
  folder = await copyHongFolder(tmp.dir)
  core = await openCore({ dataDir: join(tmp.dir, 'data'), diskRoots: [join(tmp.dir, 'NPKI')], volumeSource: null, secretStore: null, frontEnd: 'app', emit: (e) => events.push(e) })
  configureTransfer(core, { networks: () => [{ interface: 'test', address: '127.0.0.1', private: true }], advertiseHost: TEST_HOST })
  await COMMANDS.scan(core)
})
afterEach(async () => {
  core.close()
  await tmp.cleanup()
})

const stepsOf = (id: number) => events.flatMap((e) => (e.type === 'operation' && e.operation.id === id ? [e.operation] : []))

describe('startShare / confirmShare / rejectShare', () => {
  it('returns a QR of the session URL; confirm is refused before a claim; after it the phone gets the copy; no key in events or the audit log', async () => {
    const started = await COMMANDS.startShare(core, { locations: [folder] })
    expect(decodeQr(await qrPng(started.url))).toBe(started.url)
    expect(started.qr.startsWith('data:image/png;base64,')).toBe(true)
    expect(started.address).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(await codeOf(COMMANDS.confirmShare(core, { operationId: started.operationId }))).toBe('INVALID_INPUT')

    const s = parseSessionUrl(started.url)
    const nonce = new Uint8Array(randomBytes(16))
    expect((await post(s.port, `${s.path}/claim`, nonce)).status).toBe(200)
    await expect.poll(() => stepsOf(started.operationId).some((o) => o.step === 'claimed')).toBe(true)
    const claimed = stepsOf(started.operationId).find((o) => o.step === 'claimed')!
    expect(claimed.detail).toMatchObject({ code: phone.confirmationCode(s.key, s.sid, nonce), address: '127.0.0.1' })
    expect(await COMMANDS.confirmShare(core, { operationId: started.operationId })).toEqual({ confirmed: true })
    const payload = await post(s.port, `${s.path}/payload`, nonce)
    expect(decodeSharePayload(phone.openEnvelope(s.key, s.sid, 'down', new Uint8Array(payload.body)))).toHaveLength(1)
    await expect.poll(() => stepsOf(started.operationId).at(-1)?.state).toBe('finished')
    expect(stepsOf(started.operationId).at(-1)?.step).toBe('sent')

    const audit = core.inventory.auditLog({ limit: 5 })
    expect(audit[0]).toMatchObject({ action: 'transfer-out', outcome: 'ok', locations: [folder] })
    const kept = JSON.stringify(events) + JSON.stringify(audit)
    expect(kept).not.toContain(s.keyText)
    expect(kept).not.toContain(s.sid)
    // The session is gone from the registry once it ended.
    expect(await codeOf(COMMANDS.rejectShare(core, { operationId: started.operationId }))).toBe('NOT_FOUND')
  })

  it('reject ends the session as declined; cancelOperation as cancelled', async () => {
    const a = await COMMANDS.startShare(core, { locations: [folder] })
    const s = parseSessionUrl(a.url)
    const nonce = new Uint8Array(randomBytes(16))
    await post(s.port, `${s.path}/claim`, nonce)
    await expect.poll(() => stepsOf(a.operationId).some((o) => o.step === 'claimed')).toBe(true)
    expect(await COMMANDS.rejectShare(core, { operationId: a.operationId })).toEqual({ rejected: true })
    await expect.poll(() => stepsOf(a.operationId).at(-1)?.step).toBe('declined')

    const b = await COMMANDS.startShare(core, { locations: [folder] })
    expect(await COMMANDS.cancelOperation(core, { operationId: b.operationId })).toEqual({ cancelled: true })
    await expect.poll(() => stepsOf(b.operationId).at(-1)?.state).toBe('cancelled')
    expect(core.inventory.auditLog({ limit: 5 }).filter((e) => e.action === 'transfer-out').map((e) => e.outcome)).toEqual(['CANCELLED', 'CANCELLED'])
  })

  it('the page may only name listed copies and offered networks', async () => {
    expect(await codeOf(COMMANDS.startShare(core, { locations: [join(tmp.dir, 'elsewhere')] }))).toBe('NOT_FOUND')
    expect(await codeOf(COMMANDS.startShare(core, { locations: [folder], bindHost: '0.0.0.0' }))).toBe('INVALID_INPUT')
    expect(await codeOf(COMMANDS.startShare(core, { locations: [] }))).toBe('INVALID_INPUT')
    configureTransfer(core, { networks: () => [] })
    expect(await codeOf(COMMANDS.startReceive(core, {}))).toBe('INVALID_INPUT')
  })
})

/** Claims the session as a phone would, confirms on the PC, and returns what the phone decrypts. */
async function phoneReceives(started: { operationId: number; url: string }) {
  const s = parseSessionUrl(started.url)
  const nonce = new Uint8Array(randomBytes(16))
  expect((await post(s.port, `${s.path}/claim`, nonce)).status).toBe(200)
  await expect.poll(() => stepsOf(started.operationId).some((o) => o.step === 'claimed')).toBe(true)
  await COMMANDS.confirmShare(core, { operationId: started.operationId })
  const payload = await post(s.port, `${s.path}/payload`, nonce)
  expect(payload.status).toBe(200)
  return decodeSharePayload(phone.openEnvelope(s.key, s.sid, 'down', new Uint8Array(payload.body)))
}

const SIGN_CERT = () => Buffer.from(fixture('NPKI', 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr', 'signCert.der'))
const SIGN_PKCS8 = () => Buffer.from(fixture('plain', 'signPri.pkcs8.der'))

describe('startShare formats (what the phone gets)', () => {
  it("'both': the NPKI files and a bank .p12 that opens with the certificate's own password (Dojang and OpenSSL)", async () => {
    const started = await COMMANDS.startShare(core, { locations: [folder], format: 'both', passwords: [FIXTURE_PASSWORD] })
    expect(started.transferPassword).toBeUndefined()
    const [item] = await phoneReceives(started)
    expect(item!.files.map((f) => f.name).sort()).toEqual(['kmCert.der', 'kmPri.key', 'signCert.der', 'signPri.key'])
    expect(item!.pfx).toMatchObject({ password: 'certificate' })
    expect(item!.pfx!.name).toMatch(/^홍길동_\d{4}-\d{2}-\d{2}\.p12$/)
    const pair = importPfx(item!.pfx!.data, FIXTURE_PASSWORD).pairs[0]!
    expect(Buffer.from(pair.cert).equals(SIGN_CERT())).toBe(true)
    expect(Buffer.from(pair.pkcs8).equals(SIGN_PKCS8())).toBe(true)
    const file = join(tmp.dir, 'both.p12')
    await writeFile(file, item!.pfx!.data)
    expect(openssl(['pkcs12', '-in', file, '-passin', `pass:${FIXTURE_PASSWORD}`, '-nokeys'], { legacy: true }).toString()).toContain('BEGIN CERTIFICATE')
    expect(core.inventory.auditLog({ limit: 1 })[0]).toMatchObject({ action: 'transfer-out', detail: { format: 'both' } })
  })

  it("'p12': only a .p12 under a fresh transfer password (KISA rules) that the certificate password does not open", async () => {
    const started = await COMMANDS.startShare(core, { locations: [folder], format: 'p12', passwords: [FIXTURE_PASSWORD] })
    const transfer = started.transferPassword!
    expect(transfer).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/)
    expect(checkPasswordRules(transfer).ok).toBe(true)
    const [item] = await phoneReceives(started)
    // No NPKI key beside it: that would leave the weaker certificate password as a way in.
    expect(item!.files).toEqual([])
    expect(item!.pfx).toMatchObject({ password: 'transfer' })
    const pair = importPfx(item!.pfx!.data, transfer).pairs[0]!
    expect(Buffer.from(pair.cert).equals(SIGN_CERT())).toBe(true)
    expect(Buffer.from(pair.pkcs8).equals(SIGN_PKCS8())).toBe(true)
    expect(() => importPfx(item!.pfx!.data, FIXTURE_PASSWORD)).toThrow()
    // The transfer password is kept nowhere: not in events, not in the audit log.
    const kept = JSON.stringify(events) + JSON.stringify(core.inventory.auditLog({ limit: 10 }))
    expect(kept).not.toContain(transfer)
    expect(kept).not.toContain(FIXTURE_PASSWORD)
    // Every session draws a new one.
    const again = await COMMANDS.startShare(core, { locations: [folder], format: 'p12', passwords: [FIXTURE_PASSWORD] })
    expect(again.transferPassword).not.toBe(transfer)
    await COMMANDS.cancelOperation(core, { operationId: again.operationId })
  })

  it('a wrong certificate password is WRONG_PASSWORD naming the certificate, and no session starts; missing passwords are INVALID_INPUT', async () => {
    const before = events.length
    const e = await COMMANDS.startShare(core, { locations: [folder], format: 'p12', passwords: ['not-the-password1!'] }).catch((x: unknown) => x as { code: string; details: Record<string, unknown> })
    expect(e).toMatchObject({ code: 'WRONG_PASSWORD', details: { index: 0, location: folder } })
    expect(JSON.stringify(e)).not.toContain('not-the-password1!')
    expect(events.slice(before).filter((x) => x.type === 'operation')).toEqual([])
    expect(await codeOf(COMMANDS.startShare(core, { locations: [folder], format: 'both' }))).toBe('INVALID_INPUT')
    expect(await codeOf(COMMANDS.startShare(core, { locations: [folder, folder], format: 'p12', passwords: [FIXTURE_PASSWORD] }))).toBe('INVALID_INPUT')
    expect(await codeOf(COMMANDS.startShare(core, { locations: [folder], format: 'zip' as never }))).toBe('INVALID_INPUT')
  })
})

describe('startReceive / importReceived', () => {
  it('refuses an import before a file arrived', async () => {
    const r = await COMMANDS.startReceive(core, {})
    expect(await codeOf(COMMANDS.importReceived(core, { operationId: r.operationId, to: { target: { medium: 'disk', root: join(tmp.dir, 'NPKI') } }, password: 'p', newPassword: 'q' }))).toBe(
      'INVALID_INPUT',
    )
    await COMMANDS.cancelOperation(core, { operationId: r.operationId })
    await expect.poll(() => stepsOf(r.operationId).at(-1)?.state).toBe('cancelled')
  })
})
