/**
 * The PKCS#11 calls behind every worker request (pkcs11js). Runs only inside the token worker process: a vendor
 * module that crashes or hangs takes the worker down, never Dojang.
 *
 * Each request opens its own session, logs in when it needs to, and logs out and closes the session in a `finally`:
 * no login outlives a request, so a killed worker leaves nothing logged in behind.
 */
import { createHash, createPublicKey, randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import * as pkcs11js from 'pkcs11js'
import { DojangError, isDojangError } from '../../../../common/errors'
import { bytesEqual, DerError, stripLeadingZeros } from '../../asn1/der'
import { isConsistentRsaKey, parsePrivateKeyInfo, type RsaPrivateKey } from '../../npki/pkcs8'
import { decryptPrivateKey } from '../../npki/privateKey'
import { certificateFields, keyIdForModulus, labelsFor, type CertificateFields } from './hsmuProfile'
import { toDojangError, type ErrorContext } from './pkcs11Errors'
import {
  fromBase64, toBase64, type GeneratedKeyPair, type ImportResult, type KeySource, type ModuleInfo, type PinState, type TokenCertificate,
  type TokenInfo, type TokenSignatureHash, type TokenTarget,
} from './protocol'

type Handle = Buffer
const P = pkcs11js

/** CK_TOKEN_INFO flags → the PIN state a person cares about (the worst one wins). */
export function pinStateOf(flags: number): PinState {
  if (flags & P.CKF_USER_PIN_LOCKED) return 'locked'
  if (flags & P.CKF_USER_PIN_FINAL_TRY) return 'final-try'
  if (flags & P.CKF_USER_PIN_COUNT_LOW) return 'count-low'
  if (flags & P.CKF_USER_PIN_TO_BE_CHANGED) return 'to-be-changed'
  return 'ok'
}

/**
 * What every private key Dojang puts on a token (imported or generated there) promises: private (only after login),
 * sensitive (its secret parts cannot be read) and not extractable (it cannot be wrapped out).
 */
const KEY_NEVER_LEAVES: pkcs11js.Attribute[] = [
  { type: P.CKA_PRIVATE, value: true },
  { type: P.CKA_SENSITIVE, value: true },
  { type: P.CKA_EXTRACTABLE, value: false },
]

const trim = (s: string): string => s.replace(/\0+$/, '').trim()
const version = (v: pkcs11js.Version): string => `${v.major}.${v.minor}`
const slotIdOf = (h: Handle): string => (h.length === 8 ? h.readBigUInt64LE(0).toString() : h.toString('hex'))

export class Pkcs11Driver {
  private readonly modules = new Map<string, pkcs11js.PKCS11>()

  /** Loads and initializes a module once per worker; the errors say whether the path or the file is the problem. */
  private module(path: string): pkcs11js.PKCS11 {
    const cached = this.modules.get(path)
    if (cached) return cached
    let isFile = false
    try {
      isFile = statSync(path).isFile()
    } catch {
      throw new DojangError('NOT_FOUND', `The token module ${path} does not exist.`, { reason: 'pkcs11-module-missing', module: path })
    }
    if (!isFile) throw new DojangError('TOKEN_MODULE_INVALID', `${path} is not a file, so it cannot be a PKCS#11 module.`, { module: path })
    const mod = new P.PKCS11()
    try {
      mod.load(path)
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(path, '').replace(/^[:\s]+/, '') : String(e)
      throw new DojangError('TOKEN_MODULE_INVALID', `${path} is not a PKCS#11 module that this computer can load (${why}).`, { module: path, reason: why })
    }
    try {
      mod.C_Initialize()
    } catch (e) {
      if (!/CKR_CRYPTOKI_ALREADY_INITIALIZED/.test(String(e))) {
        try {
          mod.close()
        } catch {
          /* nothing more to undo */
        }
        throw toDojangError(e, { action: 'start the token module' })
      }
    }
    this.modules.set(path, mod)
    return mod
  }

  /** Finalizes every module (the worker is about to exit). */
  close(): void {
    for (const mod of this.modules.values()) {
      try {
        mod.C_Finalize()
        mod.close()
      } catch {
        /* exiting anyway */
      }
    }
    this.modules.clear()
  }

  moduleInfo(path: string): ModuleInfo {
    const mod = this.module(path)
    const info = call(() => mod.C_GetInfo(), { action: 'describe the module' })
    return {
      manufacturer: trim(info.manufacturerID),
      description: trim(info.libraryDescription),
      cryptokiVersion: version(info.cryptokiVersion),
      libraryVersion: version(info.libraryVersion),
    }
  }

  listTokens(path: string): TokenInfo[] {
    const mod = this.module(path)
    const slots = call(() => mod.C_GetSlotList(true), { action: 'list the token slots' })
    const out: TokenInfo[] = []
    for (const slot of slots) {
      try {
        out.push(this.tokenInfo(mod, slot))
      } catch (e) {
        // A slot whose token went away between the two calls is not an error of the listing.
        if (isDojangError(e, 'TOKEN_UNAVAILABLE')) continue
        throw e
      }
    }
    return out
  }

  private tokenInfo(mod: pkcs11js.PKCS11, slot: Handle): TokenInfo {
    const si = call(() => mod.C_GetSlotInfo(slot), { action: 'read the slot' })
    const ti = call(() => mod.C_GetTokenInfo(slot), { action: 'read the token' })
    const f = ti.flags
    return {
      slotId: slotIdOf(slot),
      slotDescription: trim(si.slotDescription),
      label: trim(ti.label),
      serial: trim(ti.serialNumber),
      manufacturer: trim(ti.manufacturerID),
      model: trim(ti.model),
      flags: f,
      initialized: (f & P.CKF_TOKEN_INITIALIZED) !== 0,
      loginRequired: (f & P.CKF_LOGIN_REQUIRED) !== 0,
      userPinInitialized: (f & P.CKF_USER_PIN_INITIALIZED) !== 0,
      writeProtected: (f & P.CKF_WRITE_PROTECTED) !== 0,
      protectedAuthPath: (f & P.CKF_PROTECTED_AUTHENTICATION_PATH) !== 0,
      pinState: pinStateOf(f),
      pinCountLow: (f & P.CKF_USER_PIN_COUNT_LOW) !== 0,
      pinFinalTry: (f & P.CKF_USER_PIN_FINAL_TRY) !== 0,
      pinLocked: (f & P.CKF_USER_PIN_LOCKED) !== 0,
      minPinLen: ti.minPinLen,
      maxPinLen: ti.maxPinLen,
    }
  }

  /** The slot holding the token with this serial number now (slots are renumbered when a token is re-plugged). */
  private slotOf(mod: pkcs11js.PKCS11, target: TokenTarget): { slot: Handle; info: TokenInfo } {
    for (const slot of call(() => mod.C_GetSlotList(true), { action: 'list the token slots' })) {
      let info: TokenInfo
      try {
        info = this.tokenInfo(mod, slot)
      } catch {
        continue
      }
      if (info.serial === target.serial && info.initialized) return { slot, info }
    }
    throw new DojangError('NOT_FOUND', `The security token ${target.serial} is not connected.`, { reason: 'token-missing', serial: target.serial })
  }

  /**
   * Runs `fn` in a fresh session, logged in as the user when `pin` is given ('' logs in through the token's own PIN
   * pad when it has one). Logs out and closes the session whatever happens.
   */
  private withSession<T>(target: TokenTarget, opts: { rw: boolean; pin?: string; action: string }, fn: (s: Session) => T): T {
    const mod = this.module(target.module)
    const { slot, info } = this.slotOf(mod, target)
    if (opts.pin !== undefined && info.pinLocked) {
      throw new DojangError('PIN_LOCKED', 'The token PIN is locked after too many wrong tries; the token must be reset (보안토큰 초기화) and the certificate reissued.', { serial: target.serial })
    }
    const flags = P.CKF_SERIAL_SESSION | (opts.rw ? P.CKF_RW_SESSION : 0)
    const handle = call(() => mod.C_OpenSession(slot, flags), { action: 'open a session with the token' })
    let loggedIn = false
    try {
      if (opts.pin !== undefined) {
        const pin = opts.pin
        try {
          if (pin === '' && info.protectedAuthPath) mod.C_Login(handle, P.CKU_USER)
          else mod.C_Login(handle, P.CKU_USER, pin)
          loggedIn = true
        } catch (e) {
          if (/CKR_USER_ALREADY_LOGGED_IN/.test(String(e))) loggedIn = true
          else throw this.loginError(mod, slot, e)
        }
      }
      return fn(new Session(mod, handle, opts.action))
    } finally {
      if (loggedIn) {
        try {
          mod.C_Logout(handle)
        } catch {
          /* the session closes next */
        }
      }
      try {
        mod.C_CloseSession(handle)
      } catch {
        /* token removed meanwhile */
      }
    }
  }

  /** A failed login, with the PIN state read again afterwards (a wrong PIN may just have made it "final try"). */
  private loginError(mod: pkcs11js.PKCS11, slot: Handle, e: unknown): DojangError {
    let pinState: PinState | undefined
    try {
      pinState = pinStateOf(mod.C_GetTokenInfo(slot).flags)
    } catch {
      pinState = undefined
    }
    if (pinState === 'locked') return toDojangError(new Error('CKR_PIN_LOCKED'), { action: 'log in to the token' })
    return toDojangError(e, { action: 'log in to the token', pinState })
  }

  login(target: TokenTarget & { pin: string }): TokenInfo {
    this.withSession(target, { rw: false, pin: target.pin, action: 'log in to the token' }, () => undefined)
    return this.slotOf(this.module(target.module), target).info
  }

  listCertificates(target: TokenTarget & { pin?: string }): TokenCertificate[] {
    return this.withSession(target, { rw: false, pin: target.pin, action: 'list the certificates' }, (s) => {
      const certs = s.certificates()
      if (target.pin === undefined) return certs.map((c) => c.listing)
      const keys = s.privateKeys()
      return certs.map((c) => {
        const m = matchKey(c, keys)
        return { ...c.listing, hasKey: m !== undefined, ...(m ? { keyMatchedBy: m.by, keyIdHex: m.key.id.toString('hex') } : {}) }
      })
    })
  }

  /**
   * Private keys that no certificate on the token belongs to: a pair generated for a certificate that never came
   * (the worker died in between), or another program's. Listed, never removed here.
   */
  listKeysWithoutCertificate(target: TokenTarget & { pin: string }): { idHex: string; label: string }[] {
    return this.withSession(target, { rw: false, pin: target.pin, action: 'list the keys' }, (s) => {
      const certs = s.certificates()
      return s
        .privateKeys()
        .filter((k) => !certs.some((c) => matchKey(c, [k]) !== undefined))
        .map((k) => ({ idHex: k.id.toString('hex'), label: (s.attr(k.handle, P.CKA_LABEL) ?? Buffer.alloc(0)).toString('utf8') }))
    })
  }

  importKeyPair(target: TokenTarget & { pin: string; cert: string; key: KeySource; overwrite?: boolean }): ImportResult {
    const certDer = fromBase64(target.cert)
    let fields: CertificateFields
    try {
      fields = certificateFields(certDer)
    } catch (e) {
      if (e instanceof DerError) throw new DojangError('CORRUPT_FILE', 'The certificate is damaged or is not an RSA certificate.', { file: 'signCert.der' })
      throw e
    }
    const rsa = openKey(target.key, fields)
    const id = keyIdForModulus(fields.modulus)
    const labels = labelsFor(fields.role)
    try {
      return this.withSession(target, { rw: true, pin: target.pin, action: 'store the certificate on the token' }, (s) => {
        const existing = s.certificates().filter((c) => c.id.equals(id) || (bytesEqual(c.fields?.issuer ?? new Uint8Array(), fields.issuer) && bytesEqual(c.fields?.serialNumber ?? new Uint8Array(), fields.serialNumber)))
        const oldObjects = [...existing.map((c) => c.handle), ...s.find([{ type: P.CKA_ID, value: id }]).filter((h) => !existing.some((c) => c.handle.equals(h)))]
        if (oldObjects.length > 0 && !target.overwrite) {
          throw new DojangError('CONFLICT', 'This certificate is already on the token. Replace it, or keep the copy that is there.', {
            idHex: id.toString('hex'),
          })
        }
        const created: Handle[] = []
        const common = [
          { type: P.CKA_TOKEN, value: true },
          { type: P.CKA_ID, value: id },
          { type: P.CKA_SUBJECT, value: Buffer.from(fields.subject) },
        ]
        const parts = rsaBuffers(rsa)
        try {
          created.push(
            s.create('store the private key on the token', [
              { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
              { type: P.CKA_KEY_TYPE, value: P.CKK_RSA },
              ...common,
              { type: P.CKA_LABEL, value: labels.key },
              ...KEY_NEVER_LEAVES,
              { type: P.CKA_SIGN, value: true },
              { type: P.CKA_DECRYPT, value: true },
              { type: P.CKA_UNWRAP, value: fields.role === 'km' },
              { type: P.CKA_MODULUS, value: parts.n },
              { type: P.CKA_PUBLIC_EXPONENT, value: parts.e },
              { type: P.CKA_PRIVATE_EXPONENT, value: parts.d },
              { type: P.CKA_PRIME_1, value: parts.p },
              { type: P.CKA_PRIME_2, value: parts.q },
              { type: P.CKA_EXPONENT_1, value: parts.dp },
              { type: P.CKA_EXPONENT_2, value: parts.dq },
              { type: P.CKA_COEFFICIENT, value: parts.qinv },
            ]),
          )
          created.push(
            s.create('store the public key on the token', [
              { type: P.CKA_CLASS, value: P.CKO_PUBLIC_KEY },
              { type: P.CKA_KEY_TYPE, value: P.CKK_RSA },
              ...common,
              { type: P.CKA_LABEL, value: labels.pub },
              { type: P.CKA_PRIVATE, value: false },
              { type: P.CKA_VERIFY, value: true },
              { type: P.CKA_ENCRYPT, value: true },
              { type: P.CKA_MODULUS, value: Buffer.from(fields.modulus) },
              { type: P.CKA_PUBLIC_EXPONENT, value: Buffer.from(fields.exponent) },
            ]),
          )
          created.push(
            s.create('store the certificate on the token', [
              { type: P.CKA_CLASS, value: P.CKO_CERTIFICATE },
              { type: P.CKA_CERTIFICATE_TYPE, value: P.CKC_X_509 },
              ...common,
              { type: P.CKA_LABEL, value: labels.cert },
              { type: P.CKA_PRIVATE, value: false },
              { type: P.CKA_ISSUER, value: Buffer.from(fields.issuer) },
              { type: P.CKA_SERIAL_NUMBER, value: Buffer.from(fields.serialNumber) },
              { type: P.CKA_VALUE, value: certDer },
            ]),
          )
        } catch (e) {
          // All or nothing: a half-stored certificate (a key without its certificate) is removed again.
          for (const h of created.reverse()) s.destroyQuietly(h)
          throw e
        } finally {
          for (const b of Object.values(parts)) b.fill(0)
        }
        // Replacing: the new objects are complete before the old ones go, so a failure leaves two, never none.
        for (const h of oldObjects) s.destroy(h)
        return { idHex: id.toString('hex'), certLabel: labels.cert, keyLabel: labels.key, replaced: oldObjects.length > 0 }
      })
    } finally {
      zeroRsa(rsa)
    }
  }

  deleteCertificate(target: TokenTarget & { pin: string; idHex: string }): { removedObjects: number } {
    return this.withSession(target, { rw: true, pin: target.pin, action: 'delete the certificate from the token' }, (s) => {
      const certs = s.certificates()
      const cert = findCert(certs, target.idHex)
      const others = certs.filter((c) => c !== cert)
      const modulus = cert.fields?.modulus
      // Keys and public keys of this certificate: by CKA_ID, or by modulus when no other certificate shares it.
      const sharedModulus = modulus !== undefined && others.some((c) => c.fields && bytesEqual(c.fields.modulus, modulus))
      const belongs = (o: KeyObject): boolean =>
        (cert.id.length > 0 && o.id.equals(cert.id) && !others.some((c) => c.id.equals(cert.id))) ||
        (!sharedModulus && modulus !== undefined && o.modulus !== undefined && bytesEqual(o.modulus, modulus))
      const victims = [...s.privateKeys(), ...s.publicKeys()].filter(belongs).map((k) => k.handle)
      // The key goes first: a certificate left without its key is harmless, a key without a certificate is invisible.
      for (const h of victims) s.destroy(h)
      s.destroy(cert.handle)
      return { removedObjects: victims.length + 1 }
    })
  }

  changePin(target: TokenTarget & { pin: string; newPin: string }): TokenInfo {
    this.withSession(target, { rw: true, pin: target.pin, action: 'change the token PIN' }, (s) => s.setPin(target.pin, target.newPin))
    return this.slotOf(this.module(target.module), target).info
  }

  sign(target: TokenTarget & { pin: string; idHex: string; data: string; hash?: TokenSignatureHash; byKeyId?: boolean }): { signature: string } {
    return this.withSession(target, { rw: false, pin: target.pin, action: 'sign with the key on the token' }, (s) => {
      let key: Handle
      if (target.byKeyId) {
        const hit = s.privateKeys().find((k) => k.id.length > 0 && k.id.toString('hex') === target.idHex)
        if (!hit) throw new DojangError('NOT_FOUND', 'This key is no longer on the token.', { reason: 'token-key-missing', idHex: target.idHex })
        key = hit.handle
      } else {
        const cert = findCert(s.certificates(), target.idHex)
        const m = matchKey(cert, s.privateKeys())
        if (!m) throw new DojangError('NOT_FOUND', 'The token holds this certificate but not its private key.', { reason: 'token-key-missing', idHex: target.idHex })
        key = m.key.handle
      }
      return { signature: toBase64(s.signRsa(key, target.hash ?? 'sha256', fromBase64(target.data))) }
    })
  }

  /**
   * RSA-2048 with e = 65537 generated by the token itself: the private key is a sensitive, never extractable token
   * object, so it exists nowhere else. Labelled like an imported sign pair (signPri / signPub) and linked by CKA_ID =
   * SHA-1 of the modulus (set once the modulus is known; a token that refuses the change keeps the random ID it was
   * generated with, still shared by both objects). The certificate comes later (putCertificate).
   */
  generateKeyPair(target: TokenTarget & { pin: string }): GeneratedKeyPair {
    return this.withSession(target, { rw: true, pin: target.pin, action: 'generate a key pair on the token' }, (s) => {
      const labels = labelsFor('sign')
      let id: Buffer = randomBytes(20)
      const pair = s.generateRsaPair(
        [
          { type: P.CKA_TOKEN, value: true },
          { type: P.CKA_PRIVATE, value: false },
          { type: P.CKA_ID, value: id },
          { type: P.CKA_LABEL, value: labels.pub },
          { type: P.CKA_VERIFY, value: true },
          { type: P.CKA_ENCRYPT, value: true },
          { type: P.CKA_MODULUS_BITS, value: 2048 },
          { type: P.CKA_PUBLIC_EXPONENT, value: Buffer.from([0x01, 0x00, 0x01]) },
        ],
        [
          { type: P.CKA_TOKEN, value: true },
          { type: P.CKA_ID, value: id },
          { type: P.CKA_LABEL, value: labels.key },
          ...KEY_NEVER_LEAVES,
          { type: P.CKA_SIGN, value: true },
          { type: P.CKA_DECRYPT, value: true },
        ],
      )
      try {
        const modulus = s.attr(pair.publicKey, P.CKA_MODULUS)
        const exponent = s.attr(pair.publicKey, P.CKA_PUBLIC_EXPONENT)
        if (!modulus || !exponent) throw new DojangError('TOKEN_REFUSED', 'The token generated a key pair but does not show its public key.', { reason: 'public-key-unreadable' })
        const wanted = keyIdForModulus(modulus)
        if (s.trySet(pair.privateKey, [{ type: P.CKA_ID, value: wanted }]) && s.trySet(pair.publicKey, [{ type: P.CKA_ID, value: wanted }])) id = wanted
        else {
          s.trySet(pair.privateKey, [{ type: P.CKA_ID, value: id }])
          s.trySet(pair.publicKey, [{ type: P.CKA_ID, value: id }])
        }
        return { idHex: id.toString('hex'), spki: toBase64(rsaSpki(modulus, exponent)) }
      } catch (e) {
        s.destroyQuietly(pair.privateKey)
        s.destroyQuietly(pair.publicKey)
        throw e
      }
    })
  }

  /**
   * Stores an issued certificate next to its key: the private key on the token with the certificate's modulus gives
   * the CKA_ID; the label follows the certificate's role. The keys get the certificate's subject (CKA_SUBJECT), as
   * imported keys have it. NOT_FOUND when the key is not there; CONFLICT when a certificate already has that CKA_ID.
   */
  putCertificate(target: TokenTarget & { pin: string; cert: string }): ImportResult {
    const certDer = fromBase64(target.cert)
    let fields: CertificateFields
    try {
      fields = certificateFields(certDer)
    } catch (e) {
      if (e instanceof DerError) throw new DojangError('CORRUPT_FILE', 'The certificate is damaged or is not an RSA certificate.', { file: 'signCert.der' })
      throw e
    }
    const labels = labelsFor(fields.role)
    return this.withSession(target, { rw: true, pin: target.pin, action: 'store the certificate on the token' }, (s) => {
      const key = s.privateKeys().find((k) => k.modulus !== undefined && bytesEqual(stripLeadingZeros(k.modulus), fields.modulus))
      if (!key) throw new DojangError('NOT_FOUND', 'The key of this certificate is not on the token.', { reason: 'token-key-missing' })
      const id = key.id
      if (id.length === 0) throw new DojangError('TOKEN_REFUSED', 'The key on the token has no CKA_ID to link the certificate to.', { reason: 'key-without-id' })
      if (s.certificates().some((c) => c.id.equals(id))) {
        throw new DojangError('CONFLICT', 'A certificate of this key is already on the token.', { idHex: id.toString('hex') })
      }
      s.create('store the certificate on the token', [
        { type: P.CKA_CLASS, value: P.CKO_CERTIFICATE },
        { type: P.CKA_CERTIFICATE_TYPE, value: P.CKC_X_509 },
        { type: P.CKA_TOKEN, value: true },
        { type: P.CKA_ID, value: id },
        { type: P.CKA_SUBJECT, value: Buffer.from(fields.subject) },
        { type: P.CKA_LABEL, value: labels.cert },
        { type: P.CKA_PRIVATE, value: false },
        { type: P.CKA_ISSUER, value: Buffer.from(fields.issuer) },
        { type: P.CKA_SERIAL_NUMBER, value: Buffer.from(fields.serialNumber) },
        { type: P.CKA_VALUE, value: certDer },
      ])
      for (const k of [key, ...s.publicKeys().filter((p) => p.id.equals(id))]) s.trySet(k.handle, [{ type: P.CKA_SUBJECT, value: Buffer.from(fields.subject) }])
      return { idHex: id.toString('hex'), certLabel: labels.cert, keyLabel: labels.key, replaced: false }
    })
  }

  /** Undoes generateKeyPair when no certificate came of it. Never touches a key that a certificate carries the ID of. */
  deleteKeyPair(target: TokenTarget & { pin: string; idHex: string }): { removedObjects: number } {
    return this.withSession(target, { rw: true, pin: target.pin, action: 'remove the unused key pair from the token' }, (s) => {
      const id = Buffer.from(target.idHex, 'hex')
      if (id.length === 0) throw new DojangError('INVALID_INPUT', 'No key ID given.', { reason: 'key-id-empty' })
      if (s.certificates().some((c) => c.id.equals(id))) {
        throw new DojangError('CONFLICT', 'A certificate uses this key; delete the certificate instead.', { idHex: target.idHex })
      }
      const victims = [...s.privateKeys(), ...s.publicKeys()].filter((k) => k.id.equals(id))
      if (victims.length === 0) throw new DojangError('NOT_FOUND', 'This key is no longer on the token.', { reason: 'token-key-missing', idHex: target.idHex })
      for (const k of victims) s.destroy(k.handle)
      return { removedObjects: victims.length }
    })
  }
}

/** DER SubjectPublicKeyInfo of an RSA public key, as node:crypto (and OpenSSL) encode it. */
function rsaSpki(modulus: Buffer, exponent: Buffer): Buffer {
  const b64url = (b: Uint8Array) => Buffer.from(stripLeadingZeros(b)).toString('base64url')
  return createPublicKey({ key: { kty: 'RSA', n: b64url(modulus), e: b64url(exponent) }, format: 'jwk' }).export({ type: 'spki', format: 'der' })
}

interface CertObject {
  handle: Handle
  id: Buffer
  listing: TokenCertificate
  /** Undefined when the value is not a certificate Dojang can read (it is still listed). */
  fields?: CertificateFields
}

interface KeyObject {
  handle: Handle
  id: Buffer
  modulus?: Buffer
}

/** One open session: object search, attribute reads and the few write calls, each mapped to a Dojang error. */
class Session {
  constructor(
    private readonly mod: pkcs11js.PKCS11,
    private readonly handle: Handle,
    private readonly action: string,
  ) {}

  private ctx(action = this.action): ErrorContext {
    return { action }
  }

  find(template: pkcs11js.Template): Handle[] {
    const { mod, handle } = this
    return call(() => {
      mod.C_FindObjectsInit(handle, template)
      const out: Handle[] = []
      try {
        for (;;) {
          const batch = mod.C_FindObjects(handle, 64)
          if (batch.length === 0) break
          out.push(...batch)
        }
      } finally {
        mod.C_FindObjectsFinal(handle)
      }
      return out
    }, this.ctx())
  }

  /** One attribute, or undefined when the object does not have it (or refuses to show it). */
  attr(object: Handle, type: number): Buffer | undefined {
    try {
      const [a] = this.mod.C_GetAttributeValue(this.handle, object, [{ type }])
      return a?.value
    } catch {
      return undefined
    }
  }

  certificates(): CertObject[] {
    const out: CertObject[] = []
    for (const h of this.find([{ type: P.CKA_CLASS, value: P.CKO_CERTIFICATE }, { type: P.CKA_CERTIFICATE_TYPE, value: P.CKC_X_509 }])) {
      const value = this.attr(h, P.CKA_VALUE)
      if (!value || value.length === 0) continue
      const id = this.attr(h, P.CKA_ID) ?? Buffer.alloc(0)
      let fields: CertificateFields | undefined
      try {
        fields = certificateFields(value)
      } catch {
        fields = undefined
      }
      out.push({
        handle: h,
        id,
        fields,
        listing: { idHex: id.toString('hex'), label: (this.attr(h, P.CKA_LABEL) ?? Buffer.alloc(0)).toString('utf8'), der: value.toString('base64') },
      })
    }
    return out
  }

  private keys(cls: number): KeyObject[] {
    return this.find([{ type: P.CKA_CLASS, value: cls }]).map((h) => ({
      handle: h,
      id: this.attr(h, P.CKA_ID) ?? Buffer.alloc(0),
      modulus: this.attr(h, P.CKA_MODULUS),
    }))
  }

  privateKeys(): KeyObject[] {
    return this.keys(P.CKO_PRIVATE_KEY)
  }

  publicKeys(): KeyObject[] {
    return this.keys(P.CKO_PUBLIC_KEY)
  }

  create(action: string, template: pkcs11js.Template): Handle {
    return call(() => this.mod.C_CreateObject(this.handle, template), this.ctx(action))
  }

  destroy(object: Handle): void {
    call(() => this.mod.C_DestroyObject(this.handle, object), this.ctx())
  }

  destroyQuietly(object: Handle): void {
    try {
      this.mod.C_DestroyObject(this.handle, object)
    } catch {
      /* best effort while undoing */
    }
  }

  setPin(oldPin: string, newPin: string): void {
    call(() => this.mod.C_SetPIN(this.handle, oldPin, newPin), this.ctx())
  }

  generateRsaPair(publicTemplate: pkcs11js.Template, privateTemplate: pkcs11js.Template): pkcs11js.KeyPair {
    return call(() => this.mod.C_GenerateKeyPair(this.handle, { mechanism: P.CKM_RSA_PKCS_KEY_PAIR_GEN }, publicTemplate, privateTemplate), this.ctx())
  }

  /** Sets attributes; false when the token refuses (read-only attribute on this token). */
  trySet(object: Handle, template: pkcs11js.Template): boolean {
    try {
      this.mod.C_SetAttributeValue(this.handle, object, template)
      return true
    } catch {
      return false
    }
  }

  signRsa(key: Handle, hash: TokenSignatureHash, data: Buffer): Buffer {
    return call(() => {
      this.mod.C_SignInit(this.handle, { mechanism: hash === 'sha1' ? P.CKM_SHA1_RSA_PKCS : P.CKM_SHA256_RSA_PKCS }, key)
      return Buffer.from(this.mod.C_Sign(this.handle, data, Buffer.alloc(1024)))
    }, this.ctx())
  }
}

function call<T>(fn: () => T, ctx: ErrorContext): T {
  try {
    return fn()
  } catch (e) {
    throw toDojangError(e, ctx)
  }
}

/** The certificate a location names: by CKA_ID hex, or `sha256-<fingerprint>` for one without a usable CKA_ID. */
function findCert(certs: CertObject[], ref: string): CertObject {
  const hit = ref.startsWith('sha256-')
    ? certs.find((c) => createHash('sha256').update(fromBase64(c.listing.der)).digest('hex') === ref.slice('sha256-'.length))
    : certs.find((c) => c.listing.idHex === ref)
  if (!hit) throw new DojangError('NOT_FOUND', 'This certificate is no longer on the token.', { reason: 'token-object-missing', ref })
  return hit
}

/** The private key of a certificate: the same CKA_ID first, then the same RSA modulus. */
function matchKey(cert: CertObject, keys: KeyObject[]): { key: KeyObject; by: 'id' | 'modulus' } | undefined {
  if (cert.id.length > 0) {
    const byId = keys.find((k) => k.id.equals(cert.id))
    if (byId) return { key: byId, by: 'id' }
  }
  const modulus = cert.fields?.modulus
  if (!modulus) return undefined
  const byModulus = keys.find((k) => k.modulus !== undefined && bytesEqual(stripLeadingZeros(k.modulus), modulus))
  return byModulus ? { key: byModulus, by: 'modulus' } : undefined
}

/** Decrypts (NPKI) or parses (PKCS#8) the key and checks it belongs to the certificate. The caller zeroes it. */
function openKey(source: KeySource, cert: CertificateFields): RsaPrivateKey {
  const publicKey = { modulus: cert.modulus, exponent: cert.exponent }
  if (source.kind === 'npki') {
    const keyFile = fromBase64(source.keyFile)
    const decrypted = decryptPrivateKey(keyFile, source.password, { publicKey, label: 'signPri.key' })
    // The RSA numbers are views into the plaintext: copy them out, then zero the plaintext.
    const rsa = copyRsa(decrypted.info.rsa!)
    decrypted.pkcs8.fill(0)
    return rsa
  }
  const pkcs8 = fromBase64(source.pkcs8)
  try {
    let rsa: RsaPrivateKey | undefined
    try {
      rsa = parsePrivateKeyInfo(pkcs8).rsa
    } catch (e) {
      if (e instanceof DerError) throw new DojangError('CORRUPT_FILE', 'The private key is damaged.', { file: 'private key' })
      throw e
    }
    if (!rsa) throw new DojangError('UNSUPPORTED_ALGORITHM', 'Dojang stores RSA keys only.', { file: 'private key' })
    if (!isConsistentRsaKey(rsa)) throw new DojangError('CORRUPT_FILE', 'The private key is damaged.', { file: 'private key' })
    if (!bytesEqual(rsa.n, publicKey.modulus)) throw new DojangError('KEY_MISMATCH', 'The private key belongs to a different certificate.', { file: 'private key' })
    return copyRsa(rsa)
  } finally {
    pkcs8.fill(0)
  }
}

function copyRsa(k: RsaPrivateKey): RsaPrivateKey {
  return { n: Buffer.from(k.n), e: Buffer.from(k.e), d: Buffer.from(k.d), p: Buffer.from(k.p), q: Buffer.from(k.q), dp: Buffer.from(k.dp), dq: Buffer.from(k.dq), qinv: Buffer.from(k.qinv) }
}

function rsaBuffers(k: RsaPrivateKey): Record<keyof RsaPrivateKey, Buffer> {
  return { n: Buffer.from(k.n), e: Buffer.from(k.e), d: Buffer.from(k.d), p: Buffer.from(k.p), q: Buffer.from(k.q), dp: Buffer.from(k.dp), dq: Buffer.from(k.dq), qinv: Buffer.from(k.qinv) }
}

function zeroRsa(k: RsaPrivateKey): void {
  for (const v of Object.values(k) as Uint8Array[]) v.fill(0)
}
