// The token store against a real SoftHSM2 token made for each test: list, log in, import an NPKI certificate and key,
// sign on the token and verify with the certificate, delete, change the PIN, PIN retry flags, bank-style objects.
import { execFileSync } from 'node:child_process'
import { createHash, createVerify, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CertBundle } from '../../../main/core/stores/types'
import { forkWorker, listTokens, parseTokenLocation, scanTokens, tokenLocation, TokenStore, TokenWorkerClient, type TokenSession } from '../../../main/core/stores/token'
import { certificateFields } from '../../../main/core/stores/token/hsmuProfile'
import { codeOf, errorOf } from '../../support/errors'
import { FIXTURE_PASSWORD, FIXTURES, HONG_DIR, hongBundle as fixtureBundle, PYPINKSIGN_DIR } from '../../support/fixtures'
import { createSoftHsm, USER_PIN, type SoftHsm } from '../../support/softhsm'

const DOUBLES = join(__dirname, 'doubles')

const hongBundle = (withKm = true): CertBundle => fixtureBundle({ withKm })

const hongCert = (): Buffer => readFileSync(join(HONG_DIR, 'signCert.der'))

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

interface Ctx {
  hsm: SoftHsm
  client: TokenWorkerClient
  store: TokenStore
  sessions: TokenSession[]
  login: (pin?: string) => Promise<TokenSession>
  /** The token's objects, read by an independent script (not Dojang's worker). */
  objects: (pin?: string) => TokenObject[]
}

let ctx: Ctx | undefined
afterEach(async () => {
  if (!ctx) return
  for (const s of ctx.sessions) s.close()
  ctx.client.close()
  await ctx.hsm.cleanup()
  ctx = undefined
})

async function setup(): Promise<Ctx> {
  const hsm = await createSoftHsm('dojang-test')
  const client = new TokenWorkerClient({ spawn: forkWorker({ env: hsm.env }) })
  const store = new TokenStore({ client, module: hsm.module, serial: hsm.serial, tokenLabel: hsm.label })
  const sessions: TokenSession[] = []
  ctx = {
    hsm,
    client,
    store,
    sessions,
    login: async (pin = USER_PIN) => {
      const s = await store.login(pin)
      sessions.push(s)
      return s
    },
    objects: (pin = USER_PIN) =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', join(DOUBLES, 'inspectObjects.ts'), hsm.module, hsm.serial, pin], { env: hsm.env, encoding: 'utf8' }),
      ) as TokenObject[],
  }
  return ctx
}

function verifies(cert: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  return createVerify('sha256').update(data).verify(new X509Certificate(cert).publicKey, signature)
}

describe('token store on SoftHSM2', () => {
  it('lists the token with its label, serial, maker and PIN state; an empty token has no copies', async () => {
    const { hsm, client, store } = await setup()
    const tokens = await listTokens(client, hsm.module)
    const mine = tokens.find((t) => t.serial === hsm.serial)
    expect(mine).toMatchObject({
      label: 'dojang-test',
      manufacturer: 'SoftHSM project',
      model: 'SoftHSM v2',
      initialized: true,
      loginRequired: true,
      userPinInitialized: true,
      pinState: 'ok',
      pinCountLow: false,
      pinFinalTry: false,
      pinLocked: false,
      minPinLen: 4,
    })
    // SoftHSM always adds a spare uninitialized slot: reported, flagged, never used.
    expect(tokens.some((t) => !t.initialized)).toBe(true)
    expect(store).toMatchObject({ medium: 'token', id: `token:${hsm.serial}`, label: '보안토큰 (dojang-test)' })
    expect(store.capabilities).toEqual({ readKeys: false, write: true, replaceKeys: false, remove: true, secret: 'pin' })
    expect(await store.list()).toEqual([])
  })

  it('logs in with the right PIN; a wrong PIN is WRONG_PIN with the retry state, and never echoes the PIN', async () => {
    const { hsm, client, store, login } = await setup()
    const session = await login()
    expect(session.info.serial).toBe(hsm.serial)
    const err = await errorOf(store.login('999999'))
    expect(err.code).toBe('WRONG_PIN')
    expect(err.message).toMatch(/PIN/)
    // SoftHSM raises CKF_USER_PIN_COUNT_LOW after a wrong PIN: the error and the token listing both say so.
    expect(err.details.pinState).toBe('count-low')
    expect(err.message).toMatch(/few tries/)
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('999999')
    const after = (await listTokens(client, hsm.module)).find((t) => t.serial === hsm.serial)!
    expect(after).toMatchObject({ pinCountLow: true, pinState: 'count-low' })
    // A right PIN clears it.
    await login()
    expect((await listTokens(client, hsm.module)).find((t) => t.serial === hsm.serial)!.pinState).toBe('ok')
    // A token that is not connected: no copies to list, and no login.
    const other = new TokenStore({ client, module: hsm.module, serial: 'ffffffffffffffff' })
    expect(await other.list()).toEqual([])
    expect(await codeOf(other.login(USER_PIN))).toBe('NOT_FOUND')
  })

  it('scans every module: tokens with a store each, and a failing module reported beside the others', async () => {
    const { hsm, client } = await setup()
    const missing = join(hsm.dir, 'no-such-p11.so')
    const [bad, good] = await scanTokens(client, [missing, hsm.module])
    expect(bad).toEqual({ module: missing, tokens: [], error: { code: 'NOT_FOUND', message: expect.stringContaining(missing) } })
    expect(good!.info?.manufacturer).toBe('SoftHSM')
    const mine = good!.tokens.find((t) => t.info.serial === hsm.serial)!
    expect(mine.store).toBeInstanceOf(TokenStore)
    expect(mine.store!.id).toBe(`token:${hsm.serial}`)
    // The spare uninitialized slot is reported without a store.
    expect(good!.tokens.filter((t) => !t.info.initialized).every((t) => t.store === undefined)).toBe(true)
  })

  it('sees a token that arrived after the module was started once the worker is reset (rescan)', async () => {
    const { hsm, client } = await setup()
    expect((await listTokens(client, hsm.module)).some((t) => t.serial === hsm.serial)).toBe(true)
    const second = hsm.addToken('second-token')
    client.reset()
    const tokens = await listTokens(client, hsm.module)
    expect(tokens.find((t) => t.serial === second)?.label).toBe('second-token')
    expect(client.started).toBe(2)
  })

  it('imports an NPKI certificate and key as KCAC.TS.HSMU objects; the key is sensitive and never extractable', async () => {
    const { hsm, store, login, objects } = await setup()
    const session = await login()
    const ref = await store.write(hongBundle(), { dataDir: hsm.dir, token: { session, password: FIXTURE_PASSWORD } })
    const id = createHash('sha1').update(certificateFields(hongCert()).modulus).digest('hex')
    expect(ref).toEqual({ medium: 'token', storeId: `token:${hsm.serial}`, location: tokenLocation(hsm.serial, id), label: '보안토큰 (dojang-test)' })
    expect(store.owns(ref.location)).toBe(true)

    const copies = await store.list()
    expect(copies).toHaveLength(1)
    expect(copies[0]).toMatchObject({ location: ref.location, fileNames: ['signCert.der', 'kmCert.der'], idHex: id, objectLabel: 'signCert' })
    expect((await store.list({ session }))[0]!.hasKey).toBe(true)
    const withKeys = await session.listCertificates()
    expect(withKeys.every((c) => c.hasKey && c.keyMatchedBy === 'id')).toBe(true)

    const objs = objects()
    const kmId = createHash('sha1').update(certificateFields(readFileSync(join(HONG_DIR, 'kmCert.der'))).modulus).digest('hex')
    expect(objs.map((o) => `${o.class}:${o.label}:${o.id}`).sort()).toEqual(
      [`certificate:signCert:${id}`, `private:signPri:${id}`, `public:signPub:${id}`, `certificate:kmCert:${kmId}`, `private:kmPri:${kmId}`, `public:kmPub:${kmId}`].sort(),
    )
    for (const key of objs.filter((o) => o.class === 'private')) {
      expect(key).toMatchObject({ token: true, private: true, sensitive: true, extractable: false, privateExponentReadable: false })
    }
    for (const cert of objs.filter((o) => o.class === 'certificate')) expect(cert).toMatchObject({ token: true, private: false })
  })

  it('reads only the certificate files; reading keys out of the token is refused', async () => {
    const { hsm, store, login } = await setup()
    const session = await login()
    const { location } = await store.write(hongBundle(), { dataDir: hsm.dir, token: { session, password: FIXTURE_PASSWORD } })
    const bundle = await store.read(location)
    expect(bundle.files.map((f) => f.name)).toEqual(['signCert.der', 'kmCert.der'])
    expect(Buffer.from(bundle.files[0]!.data).equals(hongCert())).toBe(true)
    expect(Buffer.from(bundle.files[1]!.data).equals(readFileSync(join(HONG_DIR, 'kmCert.der')))).toBe(true)
    const refused = await errorOf(store.readKeys(location))
    expect(refused.code).toBe('KEY_NOT_EXPORTABLE')
    expect(refused.message).toMatch(/never leaves/)
    expect(await codeOf(store.read(tokenLocation(hsm.serial, '00ff')))).toBe('NOT_FOUND')
    expect(await codeOf(store.read('/home/hong/NPKI'))).toBe('INVALID_INPUT')
  })

  it('signs with the key on the token; the signature verifies with the certificate', async () => {
    const { hsm, store, login } = await setup()
    const session = await login()
    const { location } = await store.write(hongBundle(false), { dataDir: hsm.dir, token: { session, password: FIXTURE_PASSWORD } })
    const data = new TextEncoder().encode('도장 test data to sign')
    const signature = await session.sign(parseTokenLocation(location)!.ref, data)
    expect(signature.length).toBe(256)
    expect(verifies(hongCert(), data, signature)).toBe(true)
    expect(verifies(hongCert(), new TextEncoder().encode('other data'), signature)).toBe(false)
  })

  it('refuses a second copy (CONFLICT) unless asked to replace it; replacing keeps one copy', async () => {
    const { hsm, store, login, objects } = await setup()
    const session = await login()
    const opts = { dataDir: hsm.dir, token: { session, password: FIXTURE_PASSWORD } }
    await store.write(hongBundle(false), opts)
    expect(await codeOf(store.write(hongBundle(false), opts))).toBe('CONFLICT')
    await store.write(hongBundle(false), { ...opts, overwrite: true })
    expect(await store.list()).toHaveLength(1)
    expect(objects()).toHaveLength(3)
  })

  it('a wrong certificate password or missing secrets change nothing on the token', async () => {
    const { hsm, client, store, login, objects } = await setup()
    const session = await login()
    const wrong = await errorOf(store.write(hongBundle(), { dataDir: hsm.dir, token: { session, password: 'not-the-password' } }))
    expect(wrong.code).toBe('WRONG_PASSWORD')
    expect(await codeOf(store.write(hongBundle(), { dataDir: hsm.dir }))).toBe('INVALID_INPUT')
    const noKey: CertBundle = { files: [{ name: 'signCert.der', data: new Uint8Array(hongCert()) }] }
    expect(await codeOf(store.write(noKey, { dataDir: hsm.dir, token: { session, password: FIXTURE_PASSWORD } }))).toBe('MISSING_FILE')
    const elsewhere = new TokenStore({ client, module: hsm.module, serial: 'another-token' })
    expect(await codeOf(elsewhere.write(hongBundle(), { dataDir: hsm.dir, token: { session, password: FIXTURE_PASSWORD } }))).toBe('INVALID_INPUT')
    expect(objects()).toEqual([])
  })

  it('deletes a certificate with its keys', async () => {
    const { hsm, store, login, objects } = await setup()
    const session = await login()
    const { location } = await store.write(hongBundle(), { dataDir: hsm.dir, token: { session, password: FIXTURE_PASSWORD } })
    expect(await codeOf(store.remove(location, { dataDir: hsm.dir }))).toBe('INVALID_INPUT')
    await store.remove(location, { dataDir: hsm.dir, token: { session } })
    expect(await store.list()).toEqual([])
    expect(objects()).toEqual([])
    expect(await codeOf(store.remove(location, { dataDir: hsm.dir, token: { session } }))).toBe('NOT_FOUND')
  })

  it('changes the user PIN: the old PIN stops working, the new one works, a too-short one is refused', async () => {
    const { store, login } = await setup()
    const session = await login()
    expect(await codeOf(session.changePin('12'))).toBe('INVALID_INPUT')
    const info = await session.changePin('24681357')
    expect(info.pinState).toBe('ok')
    expect(await session.listCertificates()).toEqual([]) // the session goes on with the new PIN
    expect(await codeOf(store.login(USER_PIN))).toBe('WRONG_PIN')
    const again = await login('24681357')
    expect(again.closed).toBe(false)
    again.close()
    expect(again.closed).toBe(true)
    expect(await codeOf(again.listCertificates())).toBe('INVALID_INPUT')
  })

  it('shows a certificate another program stored with its own labels and IDs, pairing the key by modulus', async () => {
    const { hsm, store, login, objects } = await setup()
    execFileSync(
      process.execPath,
      ['--import', 'tsx', join(DOUBLES, 'bankObjects.ts'), hsm.module, hsm.serial, USER_PIN, join(PYPINKSIGN_DIR, 'signCert.der'), join(PYPINKSIGN_DIR, 'signPri.plain.pkcs8.der')],
      { env: hsm.env },
    )
    const [copy] = await store.list()
    expect(copy).toMatchObject({ location: tokenLocation(hsm.serial, '01'), idHex: '01', objectLabel: '홍길동 (은행 프로그램)', fileNames: ['signCert.der'] })
    const session = await login()
    const [listed] = await session.listCertificates()
    expect(listed).toMatchObject({ idHex: '01', hasKey: true, keyMatchedBy: 'modulus', keyIdHex: '02' })
    const data = new TextEncoder().encode('bank data')
    const cert = readFileSync(join(PYPINKSIGN_DIR, 'signCert.der'))
    expect(verifies(cert, data, await session.sign('01', data))).toBe(true)
    await store.remove(copy!.location, { dataDir: hsm.dir, token: { session } })
    expect(objects()).toEqual([])
  })

  it('imports a certificate with a plain PKCS#8 key (e.g. from a PFX)', async () => {
    const { login } = await setup()
    const session = await login()
    const pkcs8 = readFileSync(join(FIXTURES, 'plain', 'signPri.pkcs8.der'))
    const result = await session.importPkcs8(hongCert(), pkcs8)
    expect(result.sign.keyLabel).toBe('signPri')
    const data = new TextEncoder().encode('pfx data')
    expect(verifies(hongCert(), data, await session.sign(result.sign.idHex, data))).toBe(true)
    // A key of another certificate is refused before the token is touched.
    const other = readFileSync(join(PYPINKSIGN_DIR, 'signPri.plain.pkcs8.der'))
    expect(await codeOf(session.importPkcs8(readFileSync(join(HONG_DIR, 'kmCert.der')), other))).toBe('KEY_MISMATCH')
  })
})
