/**
 * PFX / PKCS#12 export and import for NPKI certificates (npki-format.md §10). Pure bytes, no Electron, no disk.
 *
 * The private key travels as the exact PKCS#8 bytes, randomNum attribute included (§8): it is encrypted and
 * decrypted as an opaque byte string and never passes through a library key object. Two export profiles:
 * - 'bank': what Korean bank software writes and reads (§10.1): one unencrypted SafeContents with a certBag and a
 *   pkcs8ShroudedKeyBag (pbeWithSHAAnd3-KeyTripleDES-CBC), localKeyID on both, HMAC-SHA1 MAC, 2048 iterations;
 * - 'modern': what OpenSSL 3 writes by default (§10.4): PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC for the key bag and
 *   for the certificates (encrypted like OpenSSL does: an NPKI certificate carries the holder's name and VID),
 *   SHA-256 MAC.
 * Every export is parsed back, MAC-checked and decrypted before it is returned.
 */
import { createHash, randomBytes } from 'node:crypto'
import { DojangError, isDojangError } from '../../../../common/errors'
import { bytesEqual, children, DerError, expectTag, fromHex, readSingle, TAG, toHex } from '../../asn1/der'
import { PaddingError } from '../../crypto/cbc'
import { pkcs12Password, pkcs12PasswordCandidates } from '../../crypto/pkcs12kdf'
import { KdfWorkBudget } from '../../crypto/workBudget'
import { parseCertificate, type CertificateInfo } from '../certificate'
import { isConsistentRsaKey, parsePrivateKeyInfo, type PrivateKeyInfo } from '../pkcs8'
import { OID } from './oids'
import {
  encryptedPrivateKeyInfo, encryptPbes2Aes256, encryptPkcs12TripleDes, pbeDecrypt, type DecryptOutcome, type PfxPassword,
} from './pbe'
import {
  certBagValue, certFromCertBag, dataContentInfo, encryptedDataContentInfo, parseAuthSafe, parsePfxOuter, parseSafeContents,
  PFX_LABEL, pfxWithMac, safeBag, safeContents, splitEncryptedPrivateKeyInfo, verifyMac, type SafeBag,
} from './structure'

export type PfxProfile = 'bank' | 'modern'
export type PfxRole = 'sign' | 'km' | 'unknown'

export interface PfxKeyPair {
  /** Certificate DER (PEM is accepted on export and stored as DER). */
  cert: Uint8Array
  /** Exact PrivateKeyInfo bytes. Secret. */
  pkcs8: Uint8Array
}

export interface ExportPfxInput extends PfxKeyPair {
  password: string
  profile: PfxProfile
  /** The key-management pair of the same certificate holder, exported as a second cert + key with its own localKeyID. */
  km?: PfxKeyPair
}

export interface PfxPair extends PfxKeyPair {
  role: PfxRole
  localKeyIdHex?: string
}

export interface PfxContents {
  /** The sign pair first when there are two. */
  pairs: PfxPair[]
  /** Certificates without a key (CA chain and the like). */
  extraCerts: Uint8Array[]
}

/** Iterations for keys, certificates and MAC in both profiles: what OpenSSL 3 and the bank fixture use. */
export const PFX_ITERATIONS = 2048

// ---------------------------------------------------------------------------------------------------------------
// Export

interface PreparedPair {
  cert: CertificateInfo
  pkcs8: Uint8Array
  localKeyId: Uint8Array
}

/** SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1), for certificates without a SubjectKeyIdentifier. */
function publicKeySha1(certDer: Uint8Array): Uint8Array {
  const tbs = children(expectTag(children(readSingle(certDer, TAG.SEQUENCE))[0], TAG.SEQUENCE, 'tbsCertificate'))
  const offset = tbs[0]?.tag === TAG.CONTEXT_0 ? 1 : 0
  const [, bits] = children(expectTag(tbs[offset + 5], TAG.SEQUENCE, 'subjectPublicKeyInfo'))
  const value = expectTag(bits, TAG.BIT_STRING, 'subjectPublicKey').value
  return new Uint8Array(createHash('sha1').update(value.subarray(1)).digest())
}

export function roleOf(cert: CertificateInfo): PfxRole {
  const ku = cert.keyUsage
  if (ku.includes('digitalSignature') || ku.includes('nonRepudiation')) return 'sign'
  if (ku.includes('keyEncipherment') || ku.includes('dataEncipherment') || ku.includes('keyAgreement')) return 'km'
  return 'unknown'
}

function checkRsaKeyBytes(pkcs8: Uint8Array, what: string): PrivateKeyInfo {
  let info: PrivateKeyInfo
  try {
    info = parsePrivateKeyInfo(pkcs8)
  } catch (e) {
    throw new DojangError('INVALID_INPUT', `The ${what} private key is not a PKCS#8 PrivateKeyInfo`, { what }, { cause: e })
  }
  if (!info.rsa) throw new DojangError('UNSUPPORTED_ALGORITHM', `The ${what} private key is a ${info.algorithmOid} key; Dojang handles RSA keys only`, { what, oid: info.algorithmOid })
  if (!isConsistentRsaKey(info.rsa)) throw new DojangError('INVALID_INPUT', `The ${what} private key is damaged: its numbers do not agree with each other`, { what })
  return info
}

function prepare(pair: PfxKeyPair, what: string): PreparedPair {
  if (!(pair?.cert instanceof Uint8Array) || !(pair.pkcs8 instanceof Uint8Array)) {
    throw new DojangError('INVALID_INPUT', `The ${what} certificate and key must be given as bytes`, { what })
  }
  const cert = parseCertificate(pair.cert)
  const key = checkRsaKeyBytes(pair.pkcs8, what)
  const { modulus, exponent } = cert.publicKey
  if (!modulus || !bytesEqual(modulus, key.rsa!.n) || (exponent && !bytesEqual(exponent, key.rsa!.e))) {
    throw new DojangError('KEY_MISMATCH', `The ${what} private key does not belong to its certificate`, { what })
  }
  const localKeyId = cert.subjectKeyIdentifierHex ? fromHex(cert.subjectKeyIdentifierHex) : publicKeySha1(cert.der)
  return { cert, pkcs8: pair.pkcs8, localKeyId }
}

/** Builds a PFX from exact PKCS#8 bytes (randomNum kept), then proves it reads back to the same bytes. */
export function exportPfx(input: ExportPfxInput): Uint8Array {
  if (typeof input?.password !== 'string' || input.password === '') {
    throw new DojangError('INVALID_INPUT', 'A PFX file needs a password: without one it would not protect the private key')
  }
  if (input.profile !== 'bank' && input.profile !== 'modern') {
    throw new DojangError('INVALID_INPUT', `Unknown PFX profile: ${String(input.profile)}`, { profile: String(input.profile) })
  }
  const pairs = [prepare(input, 'signing')]
  if (input.km) {
    const sign = pairs[0]!
    const km = prepare(input.km, 'key-management')
    if (sign.cert.subject !== km.cert.subject) {
      throw new DojangError('INVALID_INPUT', 'The key-management certificate belongs to a different holder than the signing certificate')
    }
    if (roleOf(sign.cert) !== 'sign' || roleOf(km.cert) !== 'km') {
      throw new DojangError('INVALID_INPUT', 'The two certificates are not a signing + key-management pair (check their key usage)')
    }
    if (bytesEqual(km.localKeyId, sign.localKeyId)) km.localKeyId = publicKeySha1(km.cert.der)
    if (bytesEqual(km.localKeyId, sign.localKeyId)) {
      throw new DojangError('INVALID_INPUT', 'The signing and key-management certificates hold the same key')
    }
    pairs.push(km)
  }

  const bytes = input.profile === 'bank' ? buildBank(pairs, input.password) : buildModern(pairs, input.password)
  selfCheck(bytes, input.password, pairs)
  return bytes
}

function buildBank(pairs: PreparedPair[], password: string): Uint8Array {
  const bmp = pkcs12Password(password)
  try {
    const bags: Uint8Array[] = []
    for (const p of pairs) {
      const shrouded = encryptPkcs12TripleDes(p.pkcs8, bmp, Uint8Array.from(randomBytes(8)), PFX_ITERATIONS)
      bags.push(safeBag(OID.certBag, certBagValue(p.cert.der), p.localKeyId))
      bags.push(safeBag(OID.pkcs8ShroudedKeyBag, encryptedPrivateKeyInfo(shrouded), p.localKeyId))
    }
    const authSafe = safeContents([dataContentInfo(safeContents(bags))])
    return pfxWithMac(authSafe, { hash: 'sha1', bmpPassword: bmp, salt: Uint8Array.from(randomBytes(8)), iterations: PFX_ITERATIONS })
  } finally {
    bmp.fill(0)
  }
}

function buildModern(pairs: PreparedPair[], password: string): Uint8Array {
  const bmp = pkcs12Password(password)
  try {
    const pbes2 = (data: Uint8Array) => encryptPbes2Aes256(data, password, Uint8Array.from(randomBytes(16)), Uint8Array.from(randomBytes(16)), PFX_ITERATIONS)
    // OpenSSL's order: encrypted certificates first, then the key bags in a plain data ContentInfo.
    const certs = safeContents(pairs.map((p) => safeBag(OID.certBag, certBagValue(p.cert.der), p.localKeyId)))
    const keys = safeContents(pairs.map((p) => safeBag(OID.pkcs8ShroudedKeyBag, encryptedPrivateKeyInfo(pbes2(p.pkcs8)), p.localKeyId)))
    const authSafe = safeContents([encryptedDataContentInfo(pbes2(certs)), dataContentInfo(keys)])
    return pfxWithMac(authSafe, { hash: 'sha256', bmpPassword: bmp, salt: Uint8Array.from(randomBytes(8)), iterations: PFX_ITERATIONS })
  } finally {
    bmp.fill(0)
  }
}

function selfCheck(bytes: Uint8Array, password: string, pairs: PreparedPair[]): void {
  let back: PfxContents
  try {
    back = importPfx(bytes, password)
  } catch (e) {
    throw new DojangError('INTERNAL', 'The PFX file that was built does not read back; nothing was written', {}, { cause: e })
  }
  const same =
    back.pairs.length === pairs.length &&
    back.extraCerts.length === 0 &&
    pairs.every((p, i) => {
      const b = back.pairs[i]!
      return bytesEqual(b.pkcs8, p.pkcs8) && bytesEqual(b.cert, p.cert.der) && b.localKeyIdHex === toHex(p.localKeyId)
    })
  if (!same) throw new DojangError('INTERNAL', 'The PFX file that was built does not hold exactly the given keys; nothing was written')
}

// ---------------------------------------------------------------------------------------------------------------
// Import

interface FoundCert {
  der: Uint8Array
  localKeyId?: Uint8Array
}

interface FoundKey {
  pkcs8: Uint8Array
  info: PrivateKeyInfo
  localKeyId?: Uint8Array
}

/** How the walk went, for telling a wrong password from a damaged file. */
interface Tally {
  decrypted: number
  wrongPassword: number
  damaged: number
}

/**
 * The first bytes of a PrivateKeyInfo: SEQUENCE (long length), INTEGER version 0/1, SEQUENCE. A wrong password
 * gives this by chance about once in 2^48; the right one gives it even when a later block is damaged.
 */
function looksLikePrivateKeyInfo(raw: Uint8Array): boolean {
  const h = raw[1] === 0x82 ? 4 : raw[1] === 0x81 ? 3 : 0
  return h > 0 && raw[0] === 0x30 && raw[h] === 0x02 && raw[h + 1] === 0x01 && raw[h + 2]! <= 1 && raw[h + 3] === 0x30
}

/** The first bytes of a SafeContents: SEQUENCE, SEQUENCE, then a bagId under 1.2.840.113549.1.12.10.1. */
function looksLikeSafeContents(raw: Uint8Array): boolean {
  const skip = (pos: number): number => (raw[pos + 1]! < 0x80 ? 2 : 2 + (raw[pos + 1]! & 0x7f))
  if (raw[0] !== 0x30) return false
  const inner = skip(0)
  if (raw[inner] !== 0x30) return false
  const oid = inner + skip(inner)
  const prefix = [0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01]
  return prefix.every((b, i) => raw[oid + i] === b)
}

/** Keeps the plaintext (the caller's own copy) once it parses strictly as a PrivateKeyInfo; DerError otherwise. */
function acceptPrivateKey(plain: Uint8Array): FoundKey {
  const info = parsePrivateKeyInfo(plain)
  return { pkcs8: plain, info }
}

class Walker {
  readonly certs: FoundCert[] = []
  readonly keys: FoundKey[] = []
  readonly tally: Tally = { decrypted: 0, wrongPassword: 0, damaged: 0 }

  /** `lenient`: the MAC failed, so every problem only counts as evidence of damage; nothing is thrown. */
  constructor(
    private readonly pw: PfxPassword,
    private readonly lenient: boolean,
  ) {}

  private guard(fn: () => void): void {
    try {
      fn()
    } catch (e) {
      // The work limit ends the walk even when the MAC failed: going on would only spend what the limit saves.
      if (!this.lenient || (isDojangError(e) && e.details.reason === 'kdf-work-limit')) throw e
      this.tally.damaged++
    }
  }

  private count<T>(o: DecryptOutcome<T>): T | undefined {
    if (o.ok) this.tally.decrypted++
    else if (o.damaged) this.tally.damaged++
    else this.tally.wrongPassword++
    return o.ok ? o.value : undefined
  }

  walk(authSafe: Uint8Array): void {
    let contents: ReturnType<typeof parseAuthSafe> = []
    this.guard(() => {
      contents = parseAuthSafe(authSafe)
    })
    for (const ci of contents) {
      this.guard(() => {
        if (ci.kind === 'data') {
          this.bags(parseSafeContents(ci.safeContents))
          return
        }
        const bags = this.count(pbeDecrypt(ci.algId, ci.ciphertext, this.pw, (plain) => parseSafeContents(plain), looksLikeSafeContents, PFX_LABEL))
        if (bags) this.bags(bags)
      })
    }
  }

  private bags(bags: SafeBag[]): void {
    for (const bag of bags) {
      this.guard(() => {
        if (bag.bagId === OID.certBag) {
          const der = certFromCertBag(bag.value)
          if (der) this.certs.push({ der: der.slice(), localKeyId: bag.localKeyId })
        } else if (bag.bagId === OID.keyBag) {
          const key = acceptPrivateKey(bag.value.bytes.slice())
          this.keys.push({ ...key, localKeyId: bag.localKeyId })
        } else if (bag.bagId === OID.pkcs8ShroudedKeyBag) {
          const { algId, ciphertext } = splitEncryptedPrivateKeyInfo(bag.value)
          const key = this.count(pbeDecrypt(algId, ciphertext, this.pw, acceptPrivateKey, looksLikePrivateKeyInfo, 'The private key in the PFX file'))
          if (key) this.keys.push({ ...key, localKeyId: bag.localKeyId })
        }
        // crlBag, secretBag and unknown bags carry nothing a certificate folder needs.
      })
    }
  }
}

function wrongPassword(extra = ''): DojangError {
  return new DojangError('WRONG_PASSWORD', `The PFX password is wrong${extra}`, { file: 'pfx' })
}

function damaged(why: string): DojangError {
  return new DojangError('CORRUPT_FILE', `${PFX_LABEL} is damaged: ${why}`, { file: 'pfx' })
}

/**
 * Reads a PFX: verifies the MAC, decrypts every bag, and pairs each private key with its certificate.
 * Errors: CORRUPT_FILE, WRONG_PASSWORD, UNSUPPORTED_ALGORITHM (naming the OID), NOT_FOUND (no private key),
 * KEY_MISMATCH (a key without its certificate), INVALID_INPUT (keys that are not one holder's sign + km pair).
 */
export function importPfx(bytes: Uint8Array, password: string): PfxContents {
  if (!(bytes instanceof Uint8Array)) throw new DojangError('INVALID_INPUT', 'The PFX file must be given as bytes')
  if (typeof password !== 'string') throw new DojangError('INVALID_INPUT', 'The PFX password must be text')
  try {
    return readPfx(bytes, password)
  } catch (e) {
    if (isDojangError(e)) throw e
    // Every parser above throws DerError/PaddingError for bad input; anything else here is a bug, not the file.
    if (e instanceof DerError || e instanceof PaddingError) throw damaged(e.message)
    throw new DojangError('INTERNAL', 'Reading the PFX file failed unexpectedly', { file: 'pfx' }, { cause: e })
  }
}

function readPfx(bytes: Uint8Array, password: string): PfxContents {
  const outer = parsePfxOuter(bytes)
  // One budget for the whole file: the MAC and every encrypted bag draw on it (a file cannot multiply its cost).
  const budget = new KdfWorkBudget(PFX_LABEL)
  const pw: PfxPassword = { text: password, bmp: pkcs12PasswordCandidates(password), verified: false, budget }
  let mac: 'ok' | 'failed' | 'absent' = 'absent'
  if (outer.mac) {
    const good = verifyMac({ ...outer, mac: outer.mac }, pw.bmp, budget)
    mac = good ? 'ok' : 'failed'
    if (good) {
      pw.bmp = [good, ...pw.bmp.filter((b) => b !== good)]
      pw.verified = true
    }
  }

  const walker = new Walker(pw, mac === 'failed')
  walker.walk(outer.authSafe)
  const { decrypted, wrongPassword: wrong, damaged: broken } = walker.tally
  if (mac === 'failed') {
    // The MAC alone cannot tell a wrong password from a changed byte; what decrypted can.
    if (decrypted > 0 || (broken > 0 && wrong === 0)) throw damaged('the password opens it, but its integrity check (MAC) fails')
    throw wrongPassword()
  }
  if (wrong > 0) {
    if (mac === 'ok') throw wrongPassword(': it passes the integrity check, but the contents are encrypted with a different password')
    if (decrypted === 0) throw wrongPassword()
  }
  if (wrong > 0 || broken > 0) throw damaged('part of its contents does not decrypt')
  return pairUp(walker.certs, walker.keys)
}

interface ParsedCert extends FoundCert {
  info: CertificateInfo
}

function sameModulus(cert: ParsedCert, key: FoundKey): boolean {
  return cert.info.publicKey.modulus !== undefined && key.info.rsa !== undefined && bytesEqual(cert.info.publicKey.modulus, key.info.rsa.n)
}

function pairUp(foundCerts: FoundCert[], foundKeys: FoundKey[]): PfxContents {
  const certs: ParsedCert[] = []
  for (const c of foundCerts) {
    if (certs.some((x) => bytesEqual(x.der, c.der))) continue
    let info: CertificateInfo
    try {
      info = parseCertificate(c.der)
    } catch (e) {
      if (isDojangError(e)) throw new DojangError(e.code, `A certificate in the PFX file cannot be read: ${e.message}`, { ...e.details, file: 'pfx' }, { cause: e })
      throw e
    }
    certs.push({ ...c, der: info.der, info })
  }
  const keys = foundKeys.filter((k, i) => foundKeys.findIndex((x) => bytesEqual(x.pkcs8, k.pkcs8)) === i)
  if (keys.length === 0) {
    throw new DojangError(
      'NOT_FOUND',
      certs.length > 0
        ? 'This file holds certificates only, without a private key, so it cannot be used as a 공동인증서'
        : 'This PFX file holds neither a certificate nor a private key',
      { file: 'pfx', certificates: certs.length },
    )
  }

  const used = new Set<ParsedCert>()
  const pairs: PfxPair[] = keys.map((key) => {
    if (!key.info.rsa) {
      throw new DojangError('UNSUPPORTED_ALGORITHM', `The PFX file holds a ${key.info.algorithmOid} key; Dojang handles RSA keys only`, { file: 'pfx', oid: key.info.algorithmOid })
    }
    if (!isConsistentRsaKey(key.info.rsa)) throw damaged('a private key inside it is broken')
    const byId = key.localKeyId && certs.find((c) => c.localKeyId && bytesEqual(c.localKeyId, key.localKeyId!) && sameModulus(c, key))
    const cert = byId || certs.find((c) => !used.has(c) && sameModulus(c, key))
    if (!cert) {
      throw certs.length === 0
        ? new DojangError('NOT_FOUND', 'This file holds a private key without its certificate, so it cannot be used as a 공동인증서', { file: 'pfx' })
        : new DojangError('KEY_MISMATCH', 'This file holds a private key whose certificate is not in the file', { file: 'pfx' })
    }
    used.add(cert)
    const id = key.localKeyId ?? cert.localKeyId
    const pair: PfxPair = { cert: cert.der, pkcs8: key.pkcs8, role: roleOf(cert.info) }
    if (id) pair.localKeyIdHex = toHex(id)
    return pair
  })

  if (pairs.length > 1) {
    const subjects = new Set(pairs.map((p) => certs.find((c) => c.der === p.cert)!.info.subject))
    const sign = pairs.filter((p) => p.role === 'sign')
    const km = pairs.filter((p) => p.role === 'km')
    if (pairs.length !== 2 || subjects.size !== 1 || sign.length !== 1 || km.length !== 1) {
      throw new DojangError(
        'INVALID_INPUT',
        `This file holds ${pairs.length} private keys that are not the signing and key-management pair of one certificate holder; Dojang imports one 공동인증서 at a time`,
        { file: 'pfx', keys: pairs.length },
      )
    }
    pairs.sort((a, b) => (a.role === 'sign' ? -1 : b.role === 'sign' ? 1 : 0))
  }
  return { pairs, extraCerts: certs.filter((c) => !used.has(c)).map((c) => c.der) }
}
