// Key pairs generated on a real SoftHSM2 token (C_GenerateKeyPair) through Dojang's token worker: the attributes of
// the generated objects, signing by the key's own CKA_ID (SHA-256 and SHA-1), storing a certificate issued for the key
// next to it, and removing a pair that never got a certificate (but never a key a certificate carries).
import { execFileSync } from 'node:child_process'
import { createHash, createPublicKey, createVerify, X509Certificate } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { forkWorker, TokenStore, TokenWorkerClient, type TokenSession } from '../../../main/core/stores/token'
import { createTestPki, EE_DN, type TestPki } from '../../support/cmpServer'
import { codeOf, errorOf } from '../../support/errors'
import { HONG_DIR } from '../../support/fixtures'
import { openssl } from '../../support/openssl'
import { createSoftHsm, USER_PIN, type SoftHsm } from '../../support/softhsm'

const INSPECT = join(__dirname, 'doubles', 'inspectObjects.ts')

let hsm: SoftHsm | undefined
let client: TokenWorkerClient | undefined
let pki: TestPki | undefined
const sessions: TokenSession[] = []
afterEach(async () => {
  for (const s of sessions.splice(0)) s.close()
  client?.close()
  await hsm?.cleanup()
  pki?.cleanup()
  hsm = client = pki = undefined
})

async function setup(): Promise<{ store: TokenStore; session: TokenSession }> {
  hsm = await createSoftHsm('dojang-keygen')
  client = new TokenWorkerClient({ spawn: forkWorker({ env: hsm.env }) })
  const store = new TokenStore({ client, module: hsm.module, serial: hsm.serial, tokenLabel: hsm.label })
  const session = await store.login(USER_PIN)
  sessions.push(session)
  return { store, session }
}

const objects = (): Record<string, unknown>[] =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', INSPECT, hsm!.module, hsm!.serial, USER_PIN], { env: hsm!.env, encoding: 'utf8' })) as Record<string, unknown>[]

/** A certificate from a throw-away CA for the public key `spki` (the key itself stays on the token). */
function certificateFor(spki: Uint8Array): Uint8Array {
  pki ??= createTestPki()
  const p = (f: string) => join(pki!.dir, f)
  writeFileSync(p('gen.pub.pem'), createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }))
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('tmp.key'), '-out', p('gen.csr'), '-subj', EE_DN, '-utf8'])
  openssl(['x509', '-req', '-in', p('gen.csr'), '-force_pubkey', p('gen.pub.pem'), '-CA', pki!.caCertPath, '-CAkey', pki!.caKeyPath, '-CAcreateserial', '-days', '30', '-extfile', p('ee.ext'), '-outform', 'DER', '-out', p('gen.der')])
  return new Uint8Array(readFileSync(p('gen.der')))
}

describe('key pairs generated on the token', () => {
  it('are RSA-2048, e=65537, sensitive and never extractable, linked by SHA-1 of the modulus, and sign by key ID', async () => {
    const { session } = await setup()
    const pair = await session.generateKeyPair()
    const pub = createPublicKey({ key: Buffer.from(pair.spki), format: 'der', type: 'spki' })
    expect(pub.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n })
    const n = Buffer.from(pub.export({ format: 'jwk' }).n!, 'base64url')
    expect(pair.idHex).toBe(createHash('sha1').update(n).digest('hex'))

    const objs = objects()
    expect(objs).toHaveLength(2)
    expect(objs.find((o) => o.class === 'private')).toMatchObject({ id: pair.idHex, label: 'signPri', token: true, private: true, sensitive: true, extractable: false, privateExponentReadable: false })
    expect(objs.find((o) => o.class === 'public')).toMatchObject({ id: pair.idHex, label: 'signPub', token: true, private: false })

    const data = new TextEncoder().encode('POP 서명')
    expect(createVerify('sha256').update(data).verify(pub, await session.sign(pair.idHex, data, { byKeyId: true }))).toBe(true)
    expect(createVerify('sha1').update(data).verify(pub, await session.sign(pair.idHex, data, { byKeyId: true, hash: 'sha1' }))).toBe(true)
    expect((await errorOf(session.sign('00'.repeat(20), data, { byKeyId: true }))).details.reason).toBe('token-key-missing')
  }, 60_000)

  it('take the certificate issued for them; a key with a certificate is never removed as an unused pair', async () => {
    const { store, session } = await setup()
    const pair = await session.generateKeyPair()
    // A certificate for another key has nowhere to go.
    expect((await errorOf(session.putCertificate(new Uint8Array(readFileSync(join(HONG_DIR, 'signCert.der')))))).details.reason).toBe('token-key-missing')
    const cert = certificateFor(pair.spki)
    const stored = await session.putCertificate(cert)
    expect(stored).toMatchObject({ idHex: pair.idHex, certLabel: 'signCert', keyLabel: 'signPri' })
    expect(await codeOf(session.putCertificate(cert))).toBe('CONFLICT')
    expect(await codeOf(session.deleteKeyPair(pair.idHex))).toBe('CONFLICT')

    const [copy] = await store.list({ session })
    expect(copy).toMatchObject({ idHex: pair.idHex, objectLabel: 'signCert', hasKey: true })
    expect(Buffer.from((await store.read(copy!.location)).files[0]!.data)).toEqual(Buffer.from(cert))
    const data = new TextEncoder().encode('by certificate')
    expect(createVerify('sha256').update(data).verify(new X509Certificate(cert).publicKey, await session.sign(copy!.ref, data))).toBe(true)
    expect(objects()).toHaveLength(3)
  }, 60_000)

  it('an unused pair is removed, once; a wrong PIN generates nothing', async () => {
    const { store, session } = await setup()
    const pair = await session.generateKeyPair()
    expect(await session.deleteKeyPair(pair.idHex)).toBe(2)
    expect(objects()).toEqual([])
    expect((await errorOf(session.deleteKeyPair(pair.idHex))).details.reason).toBe('token-key-missing')
    expect(await codeOf(store.login('999999'))).toBe('WRONG_PIN')
    expect(await codeOf(client!.request({ op: 'generateKeyPair', module: hsm!.module, serial: hsm!.serial, pin: '999999' }))).toBe('WRONG_PIN')
    expect(objects()).toEqual([])
  }, 60_000)
})

describe('keys without a certificate', () => {
  it('a generated pair is listed until its certificate is on the token; listTokens with the PIN counts them', async () => {
    const { store, session } = await setup()
    expect(await session.keysWithoutCertificate()).toEqual([])
    const pair = await session.generateKeyPair()
    expect(await session.keysWithoutCertificate()).toEqual([{ idHex: pair.idHex, label: 'signPri' }])
    await session.putCertificate(certificateFor(pair.spki))
    expect(await session.keysWithoutCertificate()).toEqual([])
    // A second pair left behind (as a worker that died mid-발급 would leave it) is counted, and never removed by listing.
    const left = await session.generateKeyPair()
    expect((await session.keysWithoutCertificate()).map((k) => k.idHex)).toEqual([left.idHex])
    expect(objects().filter((o) => o.class === 'private')).toHaveLength(2)
    expect((await store.list({ session })).map((c) => c.hasKey)).toEqual([true])
    // Without the PIN a token cannot tell (private keys are private objects).
    expect(await codeOf(client!.request({ op: 'listKeysWithoutCertificate', module: hsm!.module, serial: hsm!.serial, pin: '000000' }))).toBe('WRONG_PIN')
  })
})
