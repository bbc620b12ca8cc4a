/**
 * A logged-in view of one token: what needs the PIN (keys, import, delete, PIN change, signing).
 *
 * The worker keeps no login between requests (a killed worker must leave nothing logged in), so a session is the
 * PIN kept in this process for as long as the caller holds the session: `TokenSession.open` proves the PIN once
 * (C_Login), every later call logs in and out again inside the worker, and `close()` zeroes the PIN. Callers open a
 * session for one user action and close it in a `finally`.
 */
import { DojangError, isDojangError } from '../../../../common/errors'
import type { CertificateInfo } from '../../npki/certificate'
import { loadCertBundle } from '../../npki/certBundle'
import { decryptPrivateKey } from '../../npki/privateKey'
import type { CertBundle } from '../types'
import { tokenLocation } from './location'
import { fromBase64, toBase64, type ImportResult, type KeySource, type TokenCertificate, type TokenInfo, type TokenSignatureHash, type TokenTarget } from './protocol'
import type { TokenWorkerClient } from './workerClient'

export interface ImportOptions {
  /** Replace a copy of the same certificate that is on the token already (otherwise CONFLICT). */
  overwrite?: boolean
  /** Also store the km pair (kmCert.der + kmPri.key) when the bundle has one. Default true. */
  includeKm?: boolean
}

export interface BundleImportResult {
  /** Location of the signing certificate (what the store lists). */
  location: string
  sign: ImportResult
  km?: ImportResult
}

export class TokenSession {
  private pin: Buffer | undefined
  private current: TokenInfo

  private constructor(
    private readonly client: TokenWorkerClient,
    readonly target: TokenTarget,
    pin: Buffer,
    info: TokenInfo,
  ) {
    this.pin = pin
    this.current = info
  }

  /**
   * Logs in once to prove the PIN. WRONG_PIN (details.pinState says when few tries are left), PIN_LOCKED,
   * NOT_FOUND when the token is not connected. '' logs in through the token's PIN pad when it has one.
   */
  static async open(client: TokenWorkerClient, target: TokenTarget, pin: string): Promise<TokenSession> {
    if (typeof pin !== 'string') throw new DojangError('INVALID_INPUT', 'A token PIN must be given.')
    const info = await client.request({ op: 'login', ...target, pin })
    return new TokenSession(client, target, Buffer.from(pin, 'utf8'), info)
  }

  /** The token as seen at the last call (label, PIN state). */
  get info(): TokenInfo {
    return this.current
  }

  get closed(): boolean {
    return this.pin === undefined
  }

  /** Forgets the PIN (the bytes are zeroed). */
  close(): void {
    this.pin?.fill(0)
    this.pin = undefined
  }

  private pinText(): string {
    if (!this.pin) throw new DojangError('INVALID_INPUT', 'The token session is closed; enter the PIN again.', { reason: 'token-session-closed' })
    return this.pin.toString('utf8')
  }

  /** Certificates with `hasKey` (private keys are visible only after login). */
  async listCertificates(): Promise<TokenCertificate[]> {
    return this.client.request({ op: 'listCertificates', ...this.target, pin: this.pinText() })
  }

  /** Private keys no certificate on the token belongs to (see pkcs11Ops.listKeysWithoutCertificate). */
  async keysWithoutCertificate(): Promise<{ idHex: string; label: string }[]> {
    return this.client.request({ op: 'listKeysWithoutCertificate', ...this.target, pin: this.pinText() })
  }

  /**
   * Stores a certificate and its private key from an NPKI bundle (signCert.der + signPri.key, and the km pair when
   * present). The key is decrypted with the certificate password inside the token worker and stored as a
   * sensitive, non-extractable token object; the decrypted bytes are zeroed there. WRONG_PASSWORD / KEY_MISMATCH /
   * CORRUPT_FILE change nothing on the token. All or nothing: when the km pair fails, the sign pair stored by this
   * call is removed again.
   */
  async importBundle(bundle: CertBundle, password: string, opts: ImportOptions = {}): Promise<BundleImportResult> {
    const loaded = loadCertBundle(bundle, 'bundle')
    if (!loaded.signPri) {
      throw new DojangError('MISSING_FILE', 'The certificate has no private key (signPri.key), so it cannot be stored on a token.', { missing: 'signPri.key' })
    }
    const withKm = (opts.includeKm ?? true) && loaded.kmCert !== undefined && loaded.kmPri !== undefined
    // The passwords are checked here first, so a wrong one (or a key of another certificate) never touches the token.
    checkKey(loaded.signPri, password, loaded.signCert, 'signPri.key')
    if (withKm) {
      try {
        checkKey(loaded.kmPri!, password, loaded.kmCert!, 'kmPri.key')
      } catch (e) {
        if (!isDojangError(e, 'WRONG_PASSWORD')) throw e
        throw new DojangError('WRONG_PASSWORD', 'The signing key opened, but the encryption key (kmPri.key) has a different password. Nothing was stored.', {
          ...e.details,
          kmPasswordDiffers: true,
        })
      }
    }
    const sign = await this.importPair(loaded.signCert.der, { kind: 'npki', keyFile: toBase64(loaded.signPri), password }, opts.overwrite)
    const result: BundleImportResult = { location: tokenLocation(this.target.serial, sign.idHex), sign }
    if (withKm) {
      try {
        result.km = await this.importPair(loaded.kmCert!.der, { kind: 'npki', keyFile: toBase64(loaded.kmPri!), password }, opts.overwrite)
      } catch (e) {
        // The token failed on the km pair (full, refused): take back the sign pair this call added. One that
        // replaced an older copy stays, since the older one is gone already.
        if (!sign.replaced) await this.request('deleteCertificate', sign.idHex).catch(() => undefined)
        throw e
      }
    }
    return result
  }

  /** Stores a certificate with a plain PKCS#8 private key (e.g. from a PFX). The caller zeroes `pkcs8`. */
  async importPkcs8(certDer: Uint8Array, pkcs8: Uint8Array, opts: { overwrite?: boolean } = {}): Promise<BundleImportResult> {
    const sign = await this.importPair(certDer, { kind: 'pkcs8', pkcs8: toBase64(pkcs8) }, opts.overwrite)
    return { location: tokenLocation(this.target.serial, sign.idHex), sign }
  }

  private async importPair(cert: Uint8Array, key: KeySource, overwrite: boolean | undefined): Promise<ImportResult> {
    return this.client.request({ op: 'importKeyPair', ...this.target, pin: this.pinText(), cert: toBase64(cert), key, overwrite: overwrite === true }, { timeoutMs: 120_000 })
  }

  private async request(op: 'deleteCertificate', ref: string): Promise<{ removedObjects: number }> {
    return this.client.request({ op, ...this.target, pin: this.pinText(), idHex: ref })
  }

  /** Removes a certificate and its private and public key objects (by CKA_ID, or by modulus). NOT_FOUND when gone. */
  async deleteCertificate(ref: string): Promise<number> {
    return (await this.request('deleteCertificate', ref)).removedObjects
  }

  /** Changes the user PIN (C_SetPIN); the session goes on with the new PIN. */
  async changePin(newPin: string): Promise<TokenInfo> {
    if (typeof newPin !== 'string' || newPin === '') throw new DojangError('INVALID_INPUT', 'The new PIN is empty.', { reason: 'pin-empty' })
    const { minPinLen, maxPinLen } = this.current
    if (minPinLen > 0 && (newPin.length < minPinLen || (maxPinLen > 0 && newPin.length > maxPinLen))) {
      throw new DojangError('INVALID_INPUT', `The token wants a PIN of ${minPinLen} to ${maxPinLen} characters.`, { reason: 'pin-length', minPinLen, maxPinLen })
    }
    const info = await this.client.request({ op: 'changePin', ...this.target, pin: this.pinText(), newPin })
    this.pin?.fill(0)
    this.pin = Buffer.from(newPin, 'utf8')
    this.current = info
    return info
  }

  /**
   * Signs `data` with SHA256withRSA (or SHA1withRSA; PKCS#1 v1.5) using the certificate's key on the token; with
   * `byKeyId`, `ref` is the CKA_ID of a private key that has no certificate yet (one just generated).
   */
  async sign(ref: string, data: Uint8Array, opts: { hash?: TokenSignatureHash; byKeyId?: boolean } = {}): Promise<Uint8Array> {
    const { signature } = await this.client.request({
      op: 'sign', ...this.target, pin: this.pinText(), idHex: ref, data: toBase64(data),
      ...(opts.hash ? { hash: opts.hash } : {}), ...(opts.byKeyId ? { byKeyId: true } : {}),
    })
    return new Uint8Array(fromBase64(signature))
  }

  /** RSA-2048 generated on the token (C_GenerateKeyPair): its CKA_ID and public key. The private key never leaves. */
  async generateKeyPair(): Promise<{ idHex: string; spki: Uint8Array }> {
    const r = await this.client.request({ op: 'generateKeyPair', ...this.target, pin: this.pinText() }, { timeoutMs: 120_000 })
    return { idHex: r.idHex, spki: new Uint8Array(fromBase64(r.spki)) }
  }

  /** Stores an issued certificate next to its key on the token (linked by the key's CKA_ID). */
  async putCertificate(certDer: Uint8Array): Promise<ImportResult> {
    return this.client.request({ op: 'putCertificate', ...this.target, pin: this.pinText(), cert: toBase64(certDer) })
  }

  /** Removes a generated key pair that never got a certificate (refused when a certificate carries its CKA_ID). */
  async deleteKeyPair(idHex: string): Promise<number> {
    return (await this.client.request({ op: 'deleteKeyPair', ...this.target, pin: this.pinText(), idHex })).removedObjects
  }
}

/** Decrypts a key file only to prove the password and the pairing, and zeroes the plaintext at once. */
function checkKey(keyFile: Uint8Array, password: string, cert: CertificateInfo, label: string): void {
  const modulus = cert.publicKey.modulus
  const decrypted = decryptPrivateKey(keyFile, password, { label, ...(modulus ? { publicKey: { modulus, ...(cert.publicKey.exponent ? { exponent: cert.publicKey.exponent } : {}) } } : {}) })
  decrypted.pkcs8.fill(0)
}
