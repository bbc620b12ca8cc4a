/**
 * The messages between Dojang and its token worker (the process that loads vendor PKCS#11 modules).
 *
 * Transport-agnostic on purpose: plain JSON objects with an id, binary as base64, so the same worker runs as a
 * Node child process (`child_process.fork`, `process.send`) and as Electron's utility process (`parentPort`).
 * Every request names its module and token: the worker keeps no login state between requests, so a worker that
 * was killed and restarted answers the next request exactly like the old one would have.
 */
import type { ErrorCode } from '../../../../common/errors'

/** Which token a request is about: the module that drives it and the token's serial number (slots move on re-plug). */
export interface TokenTarget {
  module: string
  serial: string
}

/** What the token says about its user PIN (CKF_USER_PIN_* flags). Unknown when the module does not report it. */
export type PinState = 'ok' | 'count-low' | 'final-try' | 'locked' | 'to-be-changed'

export interface TokenInfo {
  /** The slot id as the module numbers it (decimal string; only valid until the token is re-plugged). */
  slotId: string
  slotDescription: string
  label: string
  serial: string
  manufacturer: string
  model: string
  /** The raw CK_TOKEN_INFO flags, for diagnostics. */
  flags: number
  initialized: boolean
  loginRequired: boolean
  userPinInitialized: boolean
  writeProtected: boolean
  /** PIN entry happens on the device (a PIN pad): Dojang then logs in without a PIN. */
  protectedAuthPath: boolean
  pinState: PinState
  /** Individual retry flags, as the module reports them. */
  pinCountLow: boolean
  pinFinalTry: boolean
  pinLocked: boolean
  minPinLen: number
  maxPinLen: number
}

export interface ModuleInfo {
  manufacturer: string
  description: string
  cryptokiVersion: string
  libraryVersion: string
}

export interface TokenCertificate {
  /** CKA_ID in lowercase hex ('' when the object has none). */
  idHex: string
  label: string
  /** The certificate's DER, base64. */
  der: string
  /**
   * Whether a private key of this certificate is on the token: by the same CKA_ID, or by the same RSA modulus when the
   * IDs differ. Undefined when listed without logging in (private keys are private objects: invisible before login).
   */
  hasKey?: boolean
  keyMatchedBy?: 'id' | 'modulus'
  /** CKA_ID of the matching key in hex (it differs from idHex when matched by modulus). */
  keyIdHex?: string
}

export interface ImportResult {
  /** The CKA_ID the certificate and its key were stored under (hex). */
  idHex: string
  certLabel: string
  keyLabel: string
  /** Whether objects of the same certificate were replaced (overwrite). */
  replaced: boolean
}

/** A key pair generated on the token (C_GenerateKeyPair): the private key never existed outside it. */
export interface GeneratedKeyPair {
  /** CKA_ID of the private and public key objects (hex): SHA-1 of the modulus, like imported keys. */
  idHex: string
  /** DER SubjectPublicKeyInfo of the new key, base64: what a certificate request carries. */
  spki: string
}

/** Hash of a signature made on the token (PKCS#1 v1.5: CKM_SHA256_RSA_PKCS or CKM_SHA1_RSA_PKCS). */
export type TokenSignatureHash = 'sha256' | 'sha1'

/** The private key to import: the NPKI key file and its password (decrypted inside the worker), or plain PKCS#8. */
export type KeySource = { kind: 'npki'; keyFile: string; password: string } | { kind: 'pkcs8'; pkcs8: string }

export type WorkerRequestBody =
  | { op: 'moduleInfo'; module: string }
  | { op: 'listTokens'; module: string }
  | ({ op: 'login'; pin: string } & TokenTarget)
  | ({ op: 'listCertificates'; pin?: string } & TokenTarget)
  | ({ op: 'importKeyPair'; pin: string; cert: string; key: KeySource; overwrite?: boolean } & TokenTarget)
  | ({ op: 'deleteCertificate'; pin: string; idHex: string } & TokenTarget)
  | ({ op: 'changePin'; pin: string; newPin: string } & TokenTarget)
  /**
   * `idHex` names a certificate (its key is found by CKA_ID, then modulus), or with `byKeyId` the private key's own
   * CKA_ID (a key generated for a certificate that does not exist yet). Default hash sha256.
   */
  | ({ op: 'sign'; pin: string; idHex: string; data: string; hash?: TokenSignatureHash; byKeyId?: boolean } & TokenTarget)
  /** RSA-2048 (e=65537) generated on the token, labelled and linked like an imported sign pair. */
  | ({ op: 'generateKeyPair'; pin: string } & TokenTarget)
  /** Stores an issued certificate next to the key on the token whose modulus it carries (same CKA_ID). */
  | ({ op: 'putCertificate'; pin: string; cert: string } & TokenTarget)
  /** Removes a generated key pair that never got its certificate (refused when a certificate carries that CKA_ID). */
  | ({ op: 'deleteKeyPair'; pin: string; idHex: string } & TokenTarget)
  /** Private keys that no certificate on the token belongs to (by CKA_ID or modulus); needs the PIN. */
  | ({ op: 'listKeysWithoutCertificate'; pin: string } & TokenTarget)
  /** Test hooks of the worker itself (never sent by Dojang's code paths). */
  | { op: 'ping' }

export type WorkerOp = WorkerRequestBody['op']
export type WorkerRequest = WorkerRequestBody & { id: number }

export interface WorkerResults {
  moduleInfo: ModuleInfo
  listTokens: TokenInfo[]
  login: TokenInfo
  listCertificates: TokenCertificate[]
  importKeyPair: ImportResult
  deleteCertificate: { removedObjects: number }
  changePin: TokenInfo
  sign: { signature: string }
  generateKeyPair: GeneratedKeyPair
  listKeysWithoutCertificate: { idHex: string; label: string }[]
  putCertificate: ImportResult
  deleteKeyPair: { removedObjects: number }
  ping: { pid: number }
}

export interface WorkerErrorBody {
  code: ErrorCode
  message: string
  details: Record<string, string | number | boolean>
}

export type WorkerResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WorkerErrorBody }

export const toBase64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
export const fromBase64 = (s: string): Buffer => Buffer.from(s, 'base64')
