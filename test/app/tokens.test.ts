// 보안토큰 through the core commands, as the app's page and the CLI reach them: a real SoftHSM2 token per test, the
// registry finding it, copy into it with the PIN, the commands that need a key refusing a token copy, permanent
// delete with confirmation, PIN change; no PIN or password reaches the audit log or the inventory.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../main/core/app/commands'
import { openCore, type Core } from '../../main/core/app/core'
import { forkWorker } from '../../main/core/stores/token'
import { codeOf, errorOf } from '../support/errors'
import { copyHongFolder, FIXTURE_PASSWORD, tempDir } from '../support/fixtures'
import { createSoftHsm, type SoftHsm } from '../support/softhsm'

/** A PIN that appears nowhere else (the fixture holder's name has 123456 in it). */
const USER_PIN = '731946'

let tmp: { dir: string; cleanup: () => Promise<void> }
let hsm: SoftHsm
let core: Core
let folder: string

async function open(frontEnd: 'app' | 'cli' = 'app'): Promise<Core> {
  return openCore({
    dataDir: join(tmp.dir, 'data'),
    diskRoots: [join(tmp.dir, 'NPKI')],
    volumeSource: null,
    secretStore: null,
    frontEnd,
    tokens: { spawn: forkWorker({ env: hsm.env }), modules: [hsm.module], configFile: join(tmp.dir, 'no-npki_pkcs11.cnf') },
  })
}

beforeEach(async () => {
  tmp = await tempDir()
  hsm = await createSoftHsm('dojang-app', USER_PIN)
  folder = await copyHongFolder(tmp.dir)
  core = await open()
  await COMMANDS.scan(core)
})
afterEach(async () => {
  core.close()
  await hsm.cleanup()
  await tmp.cleanup()
})

const tokenMedium = async () => (await COMMANDS.listMedia(core)).find((m) => m.medium === 'token')!

async function copyIn(): Promise<string> {
  const m = await tokenMedium()
  const r = await COMMANDS.copyCertificate(core, { location: folder, to: { target: { medium: 'token', root: m.root } }, pin: USER_PIN, password: FIXTURE_PASSWORD })
  return r.ref.location
}

describe('the registry offers each token', () => {
  it('as a medium with its label, serial, slot and PIN state', async () => {
    const m = await tokenMedium()
    expect(m.label).toBe('보안토큰 (dojang-app)')
    expect(m.token).toMatchObject({ label: 'dojang-app', serial: hsm.serial, pinState: 'ok' })
    expect(m.token!.slotId).toMatch(/^\d+$/)
  })

  it('lists tokens with their certificates and, with the PIN, whether the key is there', async () => {
    await copyIn()
    const [mod] = await COMMANDS.listTokens(core, { pin: USER_PIN })
    expect(mod!.module).toBe(hsm.module)
    const tok = mod!.tokens.find((t) => t.serial === hsm.serial)!
    expect(tok.certificates).toHaveLength(1)
    expect(tok.certificates[0]).toMatchObject({ hasKey: true, hasKmPair: true })
    expect(tok.keysWithoutCertificate).toBe(0)
    const [noPin] = await COMMANDS.listTokens(core)
    expect(noPin!.tokens.find((t) => t.serial === hsm.serial)!.certificates[0]!.hasKey).toBeUndefined()
    expect(noPin!.tokens.find((t) => t.serial === hsm.serial)!.keysWithoutCertificate).toBeUndefined()
  })

  it('with the PIN, counts private keys that no certificate belongs to (a pair left by an interrupted 발급)', async () => {
    const location = await copyIn()
    const session = await ((await core.stores.storeOf(location)) as import('../../main/core/stores/token').TokenStore).login(USER_PIN)
    await session.generateKeyPair()
    session.close()
    const [mod] = await COMMANDS.listTokens(core, { pin: USER_PIN })
    const tok = mod!.tokens.find((t) => t.serial === hsm.serial)!
    expect(tok.keysWithoutCertificate).toBe(1)
    expect(tok.certificates.map((c) => c.hasKey)).toEqual([true])
  })
})

describe('copy into a token', () => {
  it('needs the PIN and the password, stores the certificate, and a scan lists the token copy', async () => {
    const m = await tokenMedium()
    const to = { target: { medium: 'token' as const, root: m.root } }
    expect((await errorOf(COMMANDS.copyCertificate(core, { location: folder, to, password: FIXTURE_PASSWORD }))).details.reason).toBe('pin-required')
    expect((await errorOf(COMMANDS.copyCertificate(core, { location: folder, to, pin: USER_PIN }))).details.reason).toBe('password-required')
    expect(await codeOf(COMMANDS.copyCertificate(core, { location: folder, to, pin: '000000', password: FIXTURE_PASSWORD }))).toBe('WRONG_PIN')
    expect(await codeOf(COMMANDS.copyCertificate(core, { location: folder, to, pin: USER_PIN, password: 'wrong-password' }))).toBe('WRONG_PASSWORD')
    expect(await codeOf(COMMANDS.copyCertificate(core, { location: folder, to, pin: USER_PIN, password: FIXTURE_PASSWORD, move: true }))).toBe('INVALID_INPUT')
    const location = await copyIn()
    await COMMANDS.scan(core)
    const cert = (await COMMANDS.listCertificates(core, {})).find((c) => c.copies.some((x) => x.location === location))
    expect(cert?.copies.map((c) => c.medium).sort()).toEqual(['disk', 'token'])
    // Secrets are nowhere in the inventory or the audit log.
    const db = await readFile(join(tmp.dir, 'data', 'inventory.sqlite')).catch(() => Buffer.alloc(0))
    expect(db.includes(Buffer.from(FIXTURE_PASSWORD))).toBe(false)
    expect(JSON.stringify(await COMMANDS.auditLog(core))).not.toContain(FIXTURE_PASSWORD)
  })

  it('a token that was taken out is marked missing at the next scan', async () => {
    const location = await copyIn()
    await COMMANDS.scan(core)
    // Deleting the token's objects outside Dojang: the scan sees the token without the certificate.
    const session = await (await core.stores.storeOf(location) as import('../../main/core/stores/token').TokenStore).login(USER_PIN)
    await session.deleteCertificate(location.split('/').pop()!)
    session.close()
    await COMMANDS.scan(core)
    const cert = (await COMMANDS.listCertificates(core, {})).find((c) => c.copies.some((x) => x.location === location))
    expect(cert?.copies.find((c) => c.location === location)?.missingSince).not.toBeNull()
  })
})

describe('what a token copy cannot do', () => {
  it('refuses copy out, export, password change and VID with KEY_NOT_EXPORTABLE', async () => {
    const location = await copyIn()
    await COMMANDS.scan(core)
    expect(await codeOf(COMMANDS.copyCertificate(core, { location, to: { target: { medium: 'disk', root: join(tmp.dir, 'NPKI') } } }))).toBe('KEY_NOT_EXPORTABLE')
    expect(await codeOf(COMMANDS.exportPfx(core, { location, password: FIXTURE_PASSWORD, pfxPassword: 'x', profile: 'bank', out: join(tmp.dir, 'o.pfx') }))).toBe('KEY_NOT_EXPORTABLE')
    expect(await codeOf(COMMANDS.verifyVid(core, { location, password: FIXTURE_PASSWORD, idn: '8001011234567' }))).toBe('KEY_NOT_EXPORTABLE')
    expect(await codeOf(COMMANDS.checkPassword(core, { location, password: FIXTURE_PASSWORD }))).toBe('KEY_NOT_EXPORTABLE')
    const changed = await COMMANDS.changePassword(core, { locations: [location], oldPassword: FIXTURE_PASSWORD, newPassword: 'Dojang#2026pw' }).catch((e: unknown) => e)
    const code = changed instanceof Error ? (changed as { code?: string }).code : (changed as { failed: { error: { code: string } }[] }).failed[0]?.error.code
    expect(code).toBe('KEY_NOT_EXPORTABLE')
  })
})

describe('delete from a token and PIN change', () => {
  it('delete needs the explicit permanent confirmation and the PIN; it is audited as delete', async () => {
    const location = await copyIn()
    await COMMANDS.scan(core)
    expect((await errorOf(COMMANDS.deleteCopy(core, { location }))).details.reason).toBe('token-delete-permanent')
    expect((await errorOf(COMMANDS.deleteTokenCopy(core, { location, pin: USER_PIN }))).details.reason).toBe('token-delete-unconfirmed')
    expect(await codeOf(COMMANDS.deleteTokenCopy(core, { location, pin: '000000', permanent: true }))).toBe('WRONG_PIN')
    expect(await COMMANDS.deleteTokenCopy(core, { location, pin: USER_PIN, permanent: true })).toEqual({ location, permanent: true })
    const [mod] = await COMMANDS.listTokens(core)
    expect(mod!.tokens.find((t) => t.serial === hsm.serial)!.certificates).toEqual([])
    const audit = await COMMANDS.auditLog(core)
    expect(audit.find((a) => a.action === 'delete' && a.outcome === 'ok')?.locations).toEqual([location])
    expect(JSON.stringify(audit)).not.toContain(USER_PIN)
    // A folder copy is not deleted for good by the token command.
    expect((await errorOf(COMMANDS.deleteTokenCopy(core, { location: folder, pin: USER_PIN, permanent: true }))).message).toMatch(/not a security token/)
    expect(existsSync(join(folder, 'signPri.key'))).toBe(true)
  })

  it('changes the PIN: the old one is refused after, the new one works; audited without either', async () => {
    const m = await tokenMedium()
    expect(await codeOf(COMMANDS.changeTokenPin(core, { token: m.root, oldPin: '000000', newPin: '654321' }))).toBe('WRONG_PIN')
    expect(await COMMANDS.changeTokenPin(core, { token: m.root, oldPin: USER_PIN, newPin: '654321' })).toMatchObject({ token: m.root })
    const to = { target: { medium: 'token' as const, root: m.root } }
    expect(await codeOf(COMMANDS.copyCertificate(core, { location: folder, to, pin: USER_PIN, password: FIXTURE_PASSWORD }))).toBe('WRONG_PIN')
    await COMMANDS.copyCertificate(core, { location: folder, to, pin: '654321', password: FIXTURE_PASSWORD })
    const audit = JSON.stringify(await COMMANDS.auditLog(core))
    expect(audit).toContain('change-pin')
    expect(audit).not.toContain('654321')
  })

  it('the app may name only a token it offered', async () => {
    expect(await codeOf(COMMANDS.changeTokenPin(core, { token: 'token:nope', oldPin: USER_PIN, newPin: '654321' }))).toBe('NOT_FOUND')
  })
})
