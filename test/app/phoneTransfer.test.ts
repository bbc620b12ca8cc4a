/** The phone transfer commands over a real core (frontEnd 'app'), with a phone simulated in Node on 127.0.0.1. */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DojangEvent } from '../../common/contract'
import { COMMANDS } from '../../main/core/app/commands'
import { openCore, type Core } from '../../main/core/app/core'
import { configureTransfer } from '../../main/core/app/transferSessions'
import { decodeSharePayload } from '../../main/core/transfer/payload'
import * as phone from '../../main/core/transfer/phone/crypto'
import { qrPng } from '../../main/core/transfer/qr'
import { codeOf } from '../support/errors'
import { copyHongFolder, tempDir } from '../support/fixtures'
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
