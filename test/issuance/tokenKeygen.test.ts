/**
 * 발급 / 갱신 with the key pair generated ON a 보안토큰 (C_GenerateKeyPair), through the core commands, against a real
 * SoftHSM2 token made per test and OpenSSL's CMP mock behind the test CA front: the front issues each certificate for
 * the public key in the request, and the mock checks the PBM, the proof of possession (signed on the token) and, for
 * kur, the signature of the old key (on the token too). The token's objects are read by an independent script.
 */
import { execFileSync } from 'node:child_process'
import { createVerify, X509Certificate } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../main/core/app/commands'
import { openCore, type Core } from '../../main/core/app/core'
import { decodeMessage, BODY } from '../../main/core/issuance/messages'
import { forkWorker, parseTokenLocation, type TokenStore } from '../../main/core/stores/token'
import { codeOf, errorOf } from '../support/errors'
import { tempDir } from '../support/fixtures'
import { useTestCa } from '../support/testCa'
import { createSoftHsm, type SoftHsm } from '../support/softhsm'

const REF = '12345678'
const AUTH = 'ABCD-EFGH-1234'
/** A PIN that appears nowhere else. */
const PIN = '582093'
const INSPECT = join(__dirname, '..', 'stores', 'token', 'doubles', 'inspectObjects.ts')

interface TokenObject {
  class: string
  label?: string
  id?: string
  token?: boolean
  private?: boolean
  sensitive?: boolean
  extractable?: boolean
  privateExponentReadable?: boolean
}

const ca = useTestCa({ ref: REF, auth: AUTH })

let tmp: { dir: string; cleanup: () => Promise<void> }
let hsm: SoftHsm
let core: Core
beforeEach(async () => {
  tmp = await tempDir('dojang-token-cmp-')
  hsm = await createSoftHsm('dojang-keygen', PIN)
  core = await openCore({
    dataDir: join(tmp.dir, 'data'),
    diskRoots: [join(tmp.dir, 'NPKI')],
    volumeSource: null,
    secretStore: null,
    frontEnd: 'app',
    tokens: { spawn: forkWorker({ env: hsm.env }), modules: [hsm.module], configFile: join(tmp.dir, 'no-npki_pkcs11.cnf') },
  })
  await COMMANDS.addCaProfile(core, { profile: { name: 'mock', transport: 'http', url: ca.front.url, caCert: ca.pki.caCertPem } })
})
afterEach(async () => {
  core.close()
  await hsm.cleanup()
  await tmp.cleanup()
})

/** Every object on the token, read by a script that does not use Dojang's worker. */
const objects = (): TokenObject[] =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', INSPECT, hsm.module, hsm.serial, PIN], { env: hsm.env, encoding: 'utf8' })) as TokenObject[]

const tokenTarget = async () => {
  const m = (await COMMANDS.listMedia(core)).find((x) => x.medium === 'token')!
  return { target: { medium: 'token' as const, root: m.root } }
}

const issue = async (over: { pin?: string; authCode?: string; deps?: Parameters<typeof COMMANDS.issueCertificate>[1]['deps'] } = {}) =>
  COMMANDS.issueCertificate(core, { ca: 'mock', referenceNumber: REF, authCode: over.authCode ?? AUTH, to: await tokenTarget(), pin: over.pin ?? PIN, ...(over.deps ? { deps: over.deps } : {}) })

/** Signs on the token with the key of the certificate at `location` and verifies with the certificate's public key. */
async function tokenKeySignsFor(location: string): Promise<boolean> {
  const store = (await core.stores.storeOf(location)) as TokenStore
  const cert = (await store.read(location)).files.find((f) => f.name === 'signCert.der')!.data
  const session = await store.login(PIN)
  try {
    const data = new TextEncoder().encode(`도장 ${location}`)
    const sig = await session.sign(parseTokenLocation(location)!.ref, data)
    const sha1 = await session.sign(parseTokenLocation(location)!.ref, data, { hash: 'sha1' })
    const pub = new X509Certificate(cert).publicKey
    return createVerify('sha256').update(data).verify(pub, sig) && createVerify('sha1').update(data).verify(pub, sha1)
  } finally {
    session.close()
  }
}

describe('발급 onto a security token', () => {
  it('generates the key on the token, has the token sign the POP, and stores the certificate next to its key', async () => {
    const sent: number[] = []
    const r = await issue({ deps: { tap: (dir, m) => dir === 'request' && sent.push(decodeMessage(m).bodyTag) } })
    expect(sent).toEqual([BODY.ir, BODY.certConf])
    expect(r.ref.medium).toBe('token')
    expect(r.ref.location.startsWith('token:')).toBe(true)
    expect(r.note).toMatch(/generated on the security token/)

    const objs = objects()
    expect(objs.map((o) => o.class).sort()).toEqual(['certificate', 'private', 'public'])
    const key = objs.find((o) => o.class === 'private')!
    // The private key never existed outside the token and can never leave it.
    expect(key).toMatchObject({ token: true, private: true, sensitive: true, extractable: false, privateExponentReadable: false, label: 'signPri' })
    expect(objs.find((o) => o.class === 'certificate')).toMatchObject({ label: 'signCert', id: key.id })
    expect(objs.find((o) => o.class === 'public')).toMatchObject({ label: 'signPub', id: key.id })
    expect(parseTokenLocation(r.ref.location)!.ref).toBe(key.id)

    // The certificate on the token is the one the CA issued, for the key on the token.
    const store = (await core.stores.storeOf(r.ref.location)) as TokenStore
    const onToken = (await store.read(r.ref.location)).files[0]!.data
    expect(Buffer.from(onToken)).toEqual(new X509Certificate(readFileSync(ca.front.issued.at(-1)!)).raw)
    expect(await tokenKeySignsFor(r.ref.location)).toBe(true)

    // No key file was written anywhere; the copy is in the inventory; the audit has no secret.
    expect(existsSync(join(tmp.dir, 'data', 'issued'))).toBe(false)
    await COMMANDS.scan(core)
    const listed = (await COMMANDS.listCertificates(core, {})).find((c) => c.copies.some((x) => x.location === r.ref.location))
    expect(listed?.copies.map((c) => c.medium)).toEqual(['token'])
    const audit = (await COMMANDS.auditLog(core)).filter((e) => e.action === 'issue')
    expect(audit.map((e) => e.outcome)).toEqual(['ok'])
    expect(audit[0]!.locations).toEqual([r.ref.location])
    for (const secret of [PIN, AUTH]) expect(JSON.stringify(audit)).not.toContain(secret)
  }, 120_000)

  it('a wrong PIN is WRONG_PIN: nothing is generated and the CA is not asked', async () => {
    const before = ca.front.requests.length
    const e = await errorOf(issue({ pin: '000000' }))
    expect(e.code).toBe('WRONG_PIN')
    expect(JSON.stringify({ message: e.message, details: e.details })).not.toContain('000000')
    expect(ca.front.requests.length).toBe(before)
    expect(objects()).toEqual([])
    expect((await errorOf(COMMANDS.issueCertificate(core, { ca: 'mock', referenceNumber: REF, authCode: AUTH, to: await tokenTarget() }))).details.reason).toBe('pin-required')
    const audit = (await COMMANDS.auditLog(core)).filter((e) => e.action === 'issue')
    expect(audit.map((x) => x.outcome)).toEqual(['WRONG_PIN'])
  }, 60_000)

  it('a refusal by the CA (wrong 인가코드) removes the generated pair from the token', async () => {
    const before = ca.front.requests.length
    expect(await codeOf(issue({ authCode: 'WXYZ-0000-9999' }))).toBe('CA_AUTH_FAILED')
    // The CA was asked, so a key had been generated for it; none is left.
    expect(ca.front.requests.length).toBe(before + 1)
    expect(objects()).toEqual([])
    // Codes that no CA issues are refused before a key is generated.
    expect(await codeOf(issue({ authCode: ' ' }))).toBe('INVALID_INPUT')
    expect(objects()).toEqual([])
  }, 60_000)

  it('a certificate the token cannot take is never confirmed: the CA hears "rejected" and nothing stays on the token', async () => {
    // The key disappears from the token (outside Dojang) just as the CA's answer arrives, before Dojang stores the
    // certificate beside it (which it does before confirming).
    const drop = join(__dirname, 'doubles', 'dropPrivateKeys.ts')
    const tap = (dir: string, m: Uint8Array) => {
      if (dir === 'response' && decodeMessage(m).bodyTag === BODY.ip) execFileSync(process.execPath, ['--import', 'tsx', drop, hsm.module, hsm.serial, PIN], { env: hsm.env })
    }
    const before = { ...ca.front.confirmations }
    const e = await errorOf(issue({ deps: { tap } }))
    expect(e.code).toBe('NOT_FOUND')
    expect(ca.front.confirmations).toEqual({ accepted: before.accepted, rejected: before.rejected + 1 })
    expect(objects()).toEqual([])
    const [entry] = (await COMMANDS.auditLog(core)).filter((x) => x.action === 'issue')
    expect(entry).toMatchObject({ outcome: 'NOT_FOUND' })
  }, 60_000)

  it('a cancelled issue removes the generated pair from the token', async () => {
    // Cancel when the CA's answer arrives: the engine stops before it confirms.
    const e = await errorOf(issue({ deps: { tap: (dir) => dir === 'response' && core.operations.cancelAll() } }))
    expect(e.code).toBe('CANCELLED')
    expect(objects()).toEqual([])
    expect((await COMMANDS.auditLog(core)).filter((x) => x.action === 'issue').map((x) => x.outcome)).toEqual(['CANCELLED'])
  }, 60_000)
})

describe('갱신 of a copy on a security token', () => {
  it('signs the kur with the old key on the token, generates the new key there and keeps the old pair', async () => {
    const first = await issue()
    await COMMANDS.scan(core)
    const kurSent: number[] = []
    const r = await COMMANDS.renewCertificate(core, { location: first.ref.location, ca: 'mock', pin: PIN, deps: { tap: (dir, m) => dir === 'request' && kurSent.push(decodeMessage(m).bodyTag) } })
    expect(kurSent).toEqual([BODY.kur, BODY.certConf])
    expect(r.renewed).toEqual([])
    expect(r.onToken?.previous).toBe(first.ref.location)
    expect(r.onToken?.location).not.toBe(first.ref.location)
    expect(r.note).toMatch(/beside the old ones/)

    const objs = objects()
    expect(objs.filter((o) => o.class === 'certificate')).toHaveLength(2)
    const keys = objs.filter((o) => o.class === 'private')
    expect(keys).toHaveLength(2)
    for (const k of keys) expect(k).toMatchObject({ sensitive: true, extractable: false })
    expect(new Set(keys.map((k) => k.id)).size).toBe(2)

    const store = (await core.stores.storeOf(r.onToken!.location)) as TokenStore
    const renewed = (await store.read(r.onToken!.location)).files[0]!.data
    expect(Buffer.from(renewed)).toEqual(new X509Certificate(readFileSync(ca.front.issued.at(-1)!)).raw)
    expect(await tokenKeySignsFor(r.onToken!.location)).toBe(true)
    expect(await tokenKeySignsFor(first.ref.location)).toBe(true)

    const audit = (await COMMANDS.auditLog(core)).filter((e) => e.action === 'renew')
    expect(audit.map((e) => e.outcome)).toEqual(['ok'])
    expect(audit[0]!.locations).toEqual([first.ref.location, r.onToken!.location])
    expect(JSON.stringify(audit)).not.toContain(PIN)
  }, 120_000)

  it('a wrong PIN renews nothing; other copies cannot get a token key; no PIN is INVALID_INPUT', async () => {
    const first = await issue()
    await COMMANDS.scan(core)
    const before = ca.front.requests.length
    expect(await codeOf(COMMANDS.renewCertificate(core, { location: first.ref.location, ca: 'mock', pin: '111111' }))).toBe('WRONG_PIN')
    expect((await errorOf(COMMANDS.renewCertificate(core, { location: first.ref.location, ca: 'mock', pin: PIN, alsoUpdate: [join(tmp.dir, 'NPKI', 'x')] }))).details.reason).toBe('token-also-update')
    expect((await errorOf(COMMANDS.renewCertificate(core, { location: first.ref.location, ca: 'mock' }))).details.reason).toBe('pin-required')
    expect(ca.front.requests.length).toBe(before)
    expect(objects().filter((o) => o.class === 'private')).toHaveLength(1)
  }, 120_000)

  it('a failed renewal removes the new pair and leaves the old one', async () => {
    const first = await issue()
    await COMMANDS.scan(core)
    const e = await errorOf(COMMANDS.renewCertificate(core, { location: first.ref.location, ca: 'mock', pin: PIN, deps: { tap: (dir) => dir === 'response' && core.operations.cancelAll() } }))
    expect(e.code).toBe('CANCELLED')
    const objs = objects()
    expect(objs.map((o) => o.class).sort()).toEqual(['certificate', 'private', 'public'])
    expect(await tokenKeySignsFor(first.ref.location)).toBe(true)
  }, 120_000)
})

describe('a token whose PIN is locked (a worker double: SoftHSM2 never locks)', () => {
  it('is PIN_LOCKED for issue, before any key is generated or any CA is asked', async () => {
    const ops = join(tmp.dir, 'ops.log')
    writeFileSync(ops, '')
    const locked = await openCore({
      dataDir: join(tmp.dir, 'data-locked'),
      diskRoots: [join(tmp.dir, 'NPKI')],
      volumeSource: null,
      secretStore: null,
      frontEnd: 'cli',
      tokens: {
        spawn: forkWorker({ script: join(__dirname, 'doubles', 'lockedTokenWorker.ts'), execArgv: ['--import', 'tsx'], env: { ...process.env, DOJANG_OPS_LOG: ops } }),
        modules: [hsm.module],
        configFile: join(tmp.dir, 'no-npki_pkcs11.cnf'),
      },
    })
    try {
      await COMMANDS.addCaProfile(locked, { profile: { name: 'mock', transport: 'http', url: ca.front.url, caCert: ca.pki.caCertPem } })
      const before = ca.front.requests.length
      const e = await errorOf(COMMANDS.issueCertificate(locked, { ca: 'mock', referenceNumber: REF, authCode: AUTH, to: { destination: 'token:locked-token' }, pin: PIN }))
      expect(e.code).toBe('PIN_LOCKED')
      expect(ca.front.requests.length).toBe(before)
      const sent = readFileSync(ops, 'utf8').trim().split('\n')
      expect(sent).toContain('login')
      expect(sent).not.toContain('generateKeyPair')
    } finally {
      locked.close()
    }
  }, 60_000)
})

describe('폐지 of a copy on a security token', () => {
  it('signs the revocation on the token with the PIN; the CA accepts it; the token copy is left (no trash) and said so', async () => {
    const first = await issue()
    await COMMANDS.scan(core)
    const sent: number[] = []
    // A wrong PIN asks no CA.
    const before = ca.front.requests.length
    expect(await codeOf(COMMANDS.revokeCertificate(core, { location: first.ref.location, ca: 'mock', reason: 'superseded', pin: '111111' }))).toBe('WRONG_PIN')
    // A password is not what a token copy signs with; a PIN is not what a file copy signs with.
    expect(await codeOf(COMMANDS.revokeCertificate(core, { location: first.ref.location, ca: 'mock', reason: 'superseded', password: 'Dojang!7q9w2' }))).toBe('INVALID_INPUT')
    expect(ca.front.requests.length).toBe(before)

    const r = await COMMANDS.revokeCertificate(core, { location: first.ref.location, ca: 'mock', reason: 'superseded', pin: PIN, deps: { tap: (dir, m) => dir === 'request' && sent.push(decodeMessage(m).bodyTag) } })
    // The mock verified the rr's signature (made on the token) against the certificate before accepting.
    expect(sent).toEqual([BODY.rr])
    expect(ca.front.requests.at(-1)).toBe('rr')
    expect(r.status).toBe(0)
    expect(r.left).toEqual([first.ref.location])
    expect(r.trashed).toEqual([])
    expect(objects().map((o) => o.class).sort()).toEqual(['certificate', 'private', 'public'])
    const [entry] = (await COMMANDS.auditLog(core)).filter((e) => e.action === 'revoke')
    expect(entry).toMatchObject({ outcome: 'ok', detail: expect.objectContaining({ auth: 'token-key' }) })
    expect(JSON.stringify(entry)).not.toContain(PIN)
  }, 120_000)
})
