/**
 * What the fuzzer feeds: every parser that reads data from outside Dojang, through its public entry point (the
 * one that must turn bad input into a typed DojangError). Seeds are the real fixtures; where a password-protected
 * layer would hide the parser behind it, the target re-wraps the mutated inner bytes with the right password at
 * one KDF iteration (structure-aware fuzzing with a valid MAC or a right key), so mutations reach the inner parser.
 */
import { createCipheriv } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DojangError } from '../../common/errors'
import { pkcs12Password } from '../../main/core/crypto/pkcs12kdf'
import { DerError } from '../../main/core/issuance/asn1'
import { BODY, decodeCertRep, decodeErrorMsg, decodeMessage, decodePkiConf, decodePollRep, decodeRevRep, protectedPart } from '../../main/core/issuance/messages'
import { UnsupportedProtection, verifyPbm } from '../../main/core/issuance/protection'
import { openInventory } from '../../main/core/inventory'
import { parseCertificate } from '../../main/core/npki/certificate'
import { importPfx } from '../../main/core/npki/pfx'
import { OID } from '../../main/core/npki/pfx/oids'
import { encryptedPrivateKeyInfo, encryptPbes2Aes256, encryptPkcs12TripleDes } from '../../main/core/npki/pfx/pbe'
import { certBagValue, dataContentInfo, encryptedDataContentInfo, pfxWithMac, safeBag, safeContents } from '../../main/core/npki/pfx/structure'
import { decryptPrivateKey, encryptPrivateKey, type KeyScheme } from '../../main/core/npki/privateKey'
import { deserialize, FORMAT_VERSION, MAGIC, openBundle, serialize } from '../../main/core/stores/keychain/bundleFormat'
import { rng } from './mutate'
import { FIXTURE_PASSWORD, FIXTURES, fixture, PYPINKSIGN_DIR } from '../support/fixtures'

export interface FuzzTarget {
  name: string
  seeds: Uint8Array[]
  /** Feeds one (mutated) input; returns normally or throws. */
  run(input: Uint8Array): void
  /** Cleans up temporary files. */
  dispose?(): void
}

const HONG = ['NPKI', 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'] as const
/** Passwords in these runs: also checked to appear in no error message or detail. */
export const FUZZ_PASSWORD = FIXTURE_PASSWORD
const PFX_PASSWORD = 'Fuzz-PFX-sentinel-7731!'
/** The 인가코드 of the captured CMP messages (test/fixtures/cmp/README.md). */
const CMP_AUTH_CODE = 'ABCD-EFGH-1234'
export const FUZZ_SECRETS = [FUZZ_PASSWORD, PFX_PASSWORD, CMP_AUTH_CODE]

const u8 = (b: Uint8Array | Buffer) => new Uint8Array(b)

/** Seeds are built from fixed "random" bytes, so that (seed, target, index) regenerates an input exactly. */
function fixedBytes(): (n: number) => Uint8Array {
  const r = rng(0x5eed)
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256))
}

/** sealBundle with a fixed nonce (the real one draws a random nonce per write). */
function sealFixed(id: string, key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  const idBytes = Buffer.from(id, 'ascii')
  const aad = Buffer.concat([MAGIC, Buffer.from([FORMAT_VERSION, idBytes.length]), idBytes, nonce])
  const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 })
  c.setAAD(aad)
  return u8(Buffer.concat([aad, c.update(plain), c.final(), c.getAuthTag()]))
}

const CMP_SECRET = new TextEncoder().encode(CMP_AUTH_CODE)

/**
 * What CmpSession.accept does with a CA's answer, minus the network: decode the PKIMessage, verify its PBM with the
 * 인가코드, decode the body. A DerError or an unsupported protection is how the decoder says "not valid CMP"; the
 * client words it as CA_BAD_RESPONSE, so it counts as typed here. Anything else (a TypeError, a RangeError) is a bug.
 */
function acceptCmp(input: Uint8Array): void {
  try {
    const msg = decodeMessage(input)
    if (msg.header.protectionAlg && msg.protection) verifyPbm(CMP_SECRET, msg.header.protectionAlg, protectedPart(msg.headerBytes, msg.bodyBytes), msg.protection)
    if (msg.bodyTag === BODY.ip || msg.bodyTag === BODY.cp || msg.bodyTag === BODY.kup) decodeCertRep(msg.content)
    else if (msg.bodyTag === BODY.error) decodeErrorMsg(msg.content)
    else if (msg.bodyTag === BODY.rp) decodeRevRep(msg.content)
    else if (msg.bodyTag === BODY.pollRep) decodePollRep(msg.content)
    else if (msg.bodyTag === BODY.pkiconf) decodePkiConf(msg.content)
  } catch (e) {
    if (e instanceof DerError || e instanceof UnsupportedProtection) throw new DojangError('CA_BAD_RESPONSE', 'not valid CMP', { problem: e.message })
    throw e
  }
}

export function buildTargets(): FuzzTarget[] {
  const randomBytes = fixedBytes()
  const signCert = fixture(...HONG, 'signCert.der')
  const kmCert = fixture(...HONG, 'kmCert.der')
  const signPkcs8 = fixture('plain', 'signPri.pkcs8.der')
  const kmPkcs8 = fixture('plain', 'kmPri.pkcs8.der')
  const signPub = parseCertificate(signCert).publicKey
  const publicKey = { modulus: signPub.modulus!, exponent: signPub.exponent }

  // Key files at one iteration, in each scheme Dojang writes or reads, so that a mutation costs microseconds.
  const schemes: KeyScheme[] = [
    { kind: 'npki-pbkdf1-seed', salt: new Uint8Array(8), iterations: 1 },
    { kind: 'pbes2', prf: 'sha1', prfExplicit: false, cipher: 'seed-128-cbc', salt: new Uint8Array(8), iterations: 1, iv: new Uint8Array(16) },
    { kind: 'pbes2', prf: 'sha256', prfExplicit: true, cipher: 'aes-256-cbc', salt: new Uint8Array(8), iterations: 1, iv: new Uint8Array(16) },
    { kind: 'pbes2', prf: 'sha256', prfExplicit: true, cipher: 'aes-128-cbc', salt: new Uint8Array(16), iterations: 1, keyLength: 16, iv: new Uint8Array(16) },
  ]
  const keyFiles = schemes.map((s, i) => encryptPrivateKey(signPkcs8, FUZZ_PASSWORD, s, { salt: s.salt, iv: new Uint8Array(16).fill(i), ...(i === 0 ? { trailing: randomBytes(46) } : {}) }))

  // PFX files at one iteration: bank style (3DES key bags, plain cert bags) and modern (PBES2, encrypted certs).
  const bmp = pkcs12Password(PFX_PASSWORD)
  const bankBags = [
    safeBag(OID.certBag, certBagValue(signCert), Uint8Array.of(1)),
    safeBag(OID.pkcs8ShroudedKeyBag, encryptedPrivateKeyInfo(encryptPkcs12TripleDes(signPkcs8, bmp, randomBytes(8), 1)), Uint8Array.of(1)),
    safeBag(OID.certBag, certBagValue(kmCert), Uint8Array.of(2)),
    safeBag(OID.pkcs8ShroudedKeyBag, encryptedPrivateKeyInfo(encryptPkcs12TripleDes(kmPkcs8, bmp, randomBytes(8), 1)), Uint8Array.of(2)),
  ]
  const pbes2 = (data: Uint8Array) => encryptPbes2Aes256(data, PFX_PASSWORD, randomBytes(16), randomBytes(16), 1)
  const certContents = safeContents([safeBag(OID.certBag, certBagValue(signCert), Uint8Array.of(1))])
  const keyContents = safeContents([safeBag(OID.pkcs8ShroudedKeyBag, encryptedPrivateKeyInfo(pbes2(signPkcs8)), Uint8Array.of(1))])
  const plainKeyContents = safeContents([safeBag(OID.certBag, certBagValue(signCert)), safeBag(OID.keyBag, signPkcs8)])
  const authSafes = [
    safeContents([dataContentInfo(safeContents(bankBags))]),
    safeContents([encryptedDataContentInfo(pbes2(certContents)), dataContentInfo(keyContents)]),
    safeContents([dataContentInfo(plainKeyContents)]),
  ]
  const withMac = (authSafe: Uint8Array) => pfxWithMac(authSafe, { hash: 'sha1', bmpPassword: bmp, salt: new Uint8Array(8), iterations: 1 })
  const pfxFiles = authSafes.map(withMac)

  // Keychain bundles.
  const id = '0123456789abcdef0123456789abcdef'
  const key = randomBytes(32)
  const meta = { subject: 'CN=홍길동()0012345678901234', issuer: 'CN=testsignCA', serialNumberHex: '03e9', notAfter: '2044-12-27T00:00:00.000Z', addedAt: '2026-01-01T00:00:00.000Z' }
  const bundleFiles = [
    { name: 'signCert.der', data: signCert },
    { name: 'signPri.key', data: keyFiles[0]! },
  ]

  // An inventory with some of everything.
  const invSeedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dojang-fuzz-inv-seed-'))
  const inv = openInventory(invSeedDir, { now: () => new Date('2026-01-01T00:00:00.000Z') })
  inv.upsertCertificate({ issuer: 'CN=testsignCA', serial: '03e9', subject: meta.subject, displayName: '홍길동', ca: 'testsign', notBefore: '2020-01-01T00:00:00.000Z', notAfter: meta.notAfter, policyOid: '1.2.410.200005.1.1.4', purpose: '은행·보험·카드용', fingerprintSha256: 'ab'.repeat(32) })
  inv.audit({ action: 'copy', locations: ['/home/x/NPKI'], outcome: 'ok', detail: { found: 1 } })
  inv.setSetting('language', 'ko')
  inv.close()
  const invSeed = u8(fs.readFileSync(path.join(invSeedDir, 'inventory.db')))
  fs.rmSync(invSeedDir, { recursive: true, force: true })
  const invDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dojang-fuzz-inv-'))

  return [
    {
      name: 'certificate',
      seeds: [signCert, kmCert, fixture('ca', 'testsignCA.der'), u8(fs.readFileSync(path.join(PYPINKSIGN_DIR, 'signCert.der')))],
      run: (input) => void parseCertificate(input),
    },
    {
      name: 'key-file',
      seeds: keyFiles,
      run: (input) => void decryptPrivateKey(input, FUZZ_PASSWORD, { publicKey, label: 'signPri.key' }),
    },
    {
      // The decrypted PrivateKeyInfo parser, reached with the right password.
      name: 'pkcs8',
      seeds: [signPkcs8, kmPkcs8],
      run: (input) => void decryptPrivateKey(encryptPrivateKey(input, FUZZ_PASSWORD, schemes[0]), FUZZ_PASSWORD, { label: 'signPri.key' }),
    },
    {
      name: 'pfx-file',
      seeds: [...pfxFiles, fixture('pfx', 'bankstyle_3des_randomnum.pfx')],
      run: (input) => void importPfx(input, PFX_PASSWORD),
    },
    {
      // The AuthenticatedSafe with a valid MAC: the strict (MAC-verified) path through every bag.
      name: 'pfx-authsafe',
      seeds: authSafes,
      run: (input) => void importPfx(withMac(input), PFX_PASSWORD),
    },
    {
      // SafeContents inside an encryptedData, decrypted with the right password and a valid MAC.
      name: 'pfx-safecontents',
      seeds: [safeContents(bankBags), plainKeyContents, certContents],
      run: (input) => void importPfx(withMac(safeContents([encryptedDataContentInfo(pbes2(input)), dataContentInfo(keyContents)])), PFX_PASSWORD),
    },
    {
      name: 'keychain-bundle',
      seeds: [sealFixed(id, key, randomBytes(12), u8(serialize(meta, bundleFiles)))],
      run: (input) => void openBundle(id, key, input),
    },
    {
      // What openBundle parses once GCM has authenticated the bytes.
      name: 'keychain-plaintext',
      seeds: [u8(serialize(meta, bundleFiles))],
      run: (input) => void deserialize(Buffer.from(input)),
    },
    {
      // Answers captured from OpenSSL's CMP mock server (ip, pkiConf, pollRep, error).
      name: 'cmp-response',
      seeds: ['ip.der', 'pkiConf.der', 'pollRep.der', 'error.der'].map((n) => u8(fs.readFileSync(path.join(FIXTURES, '..', 'cmp', n)))),
      run: acceptCmp,
    },
    {
      name: 'inventory-db',
      seeds: [invSeed],
      run: (input) => {
        for (const name of fs.readdirSync(invDir)) fs.rmSync(path.join(invDir, name), { recursive: true, force: true })
        fs.writeFileSync(path.join(invDir, 'inventory.db'), input)
        const db = openInventory(invDir)
        try {
          db.listCertificates()
          db.auditLog()
          db.getSettings()
          db.latestFindings()
          db.audit({ action: 'copy', locations: [], outcome: 'ok' })
        } finally {
          db.close()
        }
      },
      dispose: () => fs.rmSync(invDir, { recursive: true, force: true }),
    },
  ]
}

export { FIXTURES }
