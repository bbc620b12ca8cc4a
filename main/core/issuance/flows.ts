/**
 * Issue (ir, PBM with 참조번호/인가코드), renew (kur, signed by the current key) and revoke (rr) as Electron-free,
 * store-agnostic operations. They return bundles in memory; the command layer writes them through the stores.
 * Progress steps: 'generate-key', 'contact-ca', 'check-certificate', 'confirm', 'encrypt-key', 'waiting' (polling).
 * Secrets (codes, passwords, keys) never reach progress details or errors.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto'
import { DojangError } from '../../../common/errors'
import type { OperationContext } from '../app/operation'
import { parseCertificate, type CertificateInfo } from '../npki/certificate'
import type { KeyScheme } from '../npki/privateKey'
import type { CertBundle } from '../stores/types'
import { DerError, encodeDn, seq } from './asn1'
import { certHash, certParts, checkIssuedCertificate, type CertParts, type IssuedCertProblem } from './certs'
import { CmpSession, type MessageTap, type Protection } from './client'
import { caBadResponse, cancelled, fromStatus } from './errors'
import { encodeCertReqMessages, encodeCertReqMsgWith } from './crmf'
import { softwareKey, type KeyHolder } from './keyHolder'
import {
  BODY, CRL_REASONS, decodeCertRep, decodePkiConf, decodePollRep, decodeRevRep, encodeCertConf, encodeCmpV1Conf, encodePollReq,
  encodeRevReq, PKI_STATUS, type CertResponse, type CrlReason, type DecodedMessage,
} from './messages'
import { createTransport, profileCaCertificate, profileEndpoint, type CaProfile } from './profiles'
import { sleep } from './transport/tcp'
import type { CmpTransport } from './transport/types'
import { npkiBundle, NEW_KEY_SCHEME, pkcs8WithRandomNum, randomNumOf, requireStrongPassword } from './npkiKey'

/** Seams for tests and for later key sources (a token that generates the key itself). */
export interface IssuanceDeps {
  /** Replaces the transport the profile describes (e.g. a test wrapper around it). */
  transport?: CmpTransport
  /** Makes the new key pair; default RSA-2048 from node:crypto. */
  generateKeyPair?: () => { privateKey: KeyObject; publicKey: KeyObject }
  now?: () => Date
  /** Observes every DER message sent and received. */
  tap?: MessageTap
}

export interface IssuedCertificate {
  /** signCert.der + signPri.key, ready for a store. */
  bundle: CertBundle
  /** The parsed certificate, to show subject, policy and expiry before or after storing. */
  certificate: CertificateInfo
  /** CA certificates the CA sent along (not trusted for anything; may be kept beside the pair). */
  caPubs: Uint8Array[]
}

export interface IssueParams {
  profile: CaProfile
  /** 참조번호: sent as senderKID. */
  referenceNumber: string
  /** 인가코드: the PBM secret. Never logged. */
  authCode: string
  /** Password for the new signPri.key; KISA rules apply. */
  newPassword: string
  /**
   * Makes the new pair durable before the CA hears "accepted" (Dojang's 보관함). If it throws, the CA is told the
   * certificate is not accepted and the error is the caller's: a certificate is never confirmed that exists only
   * in memory.
   */
  keep?: (bundle: CertBundle) => Promise<void>
  ctx?: OperationContext
  deps?: IssuanceDeps
}

export interface RenewParams {
  profile: CaProfile
  current: {
    certDer: Uint8Array
    /** The decrypted PrivateKeyInfo of the current key (e.g. DecryptedKey.pkcs8). */
    pkcs8: Uint8Array
  }
  /**
   * Password for the new key file: `{ new }` is checked against the KISA rules, `{ keep }` re-uses the current
   * password as it is (the caller has just opened the old key with it).
   */
  password: { new: string } | { keep: string }
  /** Encryption of the new key file; default the usual NPKI scheme. Pass the old file's scheme to keep it. */
  scheme?: KeyScheme
  /** As IssueParams.keep: the renewed pair made durable before the CA hears "accepted". */
  keep?: (bundle: CertBundle) => Promise<void>
  ctx?: OperationContext
  deps?: IssuanceDeps
}

/** 발급 with a key made and held elsewhere (issueOnKey). */
export interface IssueOnKeyParams {
  profile: CaProfile
  referenceNumber: string
  authCode: string
  /** Makes the new key pair where it will live; called once, after the codes are checked. */
  newKey: () => Promise<KeyHolder>
  /** Called with the checked certificate before the CA hears "accepted"; if it throws, the CA hears "rejected". */
  beforeConfirm?: BeforeConfirm
  ctx?: OperationContext
  deps?: Pick<IssuanceDeps, 'transport' | 'now' | 'tap'>
}

/** 갱신 with keys held elsewhere (renewOnKey). */
export interface RenewOnKeyParams {
  profile: CaProfile
  current: { certDer: Uint8Array; key: KeyHolder }
  newKey: () => Promise<KeyHolder>
  beforeConfirm?: BeforeConfirm
  ctx?: OperationContext
  deps?: Pick<IssuanceDeps, 'transport' | 'now' | 'tap'>
}

export type BeforeConfirm = (issued: IssuedOnKey) => Promise<void>

/** The confirmed certificate of a key held elsewhere. */
export interface IssuedOnKey {
  certDer: Uint8Array
  certificate: CertificateInfo
  caPubs: Uint8Array[]
}

export type RevokeAuth =
  | { kind: 'key'; pkcs8: Uint8Array }
  /** A key held elsewhere (a 보안토큰) signs the request. */
  | { kind: 'holder'; key: KeyHolder }
  /** The key or its password is lost: fresh codes from the RA. */
  | { kind: 'codes'; referenceNumber: string; authCode: string }

export interface RevokeParams {
  profile: CaProfile
  /** The certificate to revoke. */
  certDer: Uint8Array
  auth: RevokeAuth
  reason: CrlReason
  ctx?: OperationContext
  deps?: IssuanceDeps
}

export interface RevokeResult {
  /** 0 accepted, 1 granted with modifications, 4/5 revocation warning/notification. */
  status: number
}

const CERT_REQ_ID = 0

// ---------------------------------------------------------------------------------------------------------------

export async function issueCertificate(p: IssueParams): Promise<IssuedCertificate> {
  requireStrongPassword(p.newPassword)
  let keys: { privateKey: KeyObject; publicKey: KeyObject } | undefined
  let bundle: CertBundle | undefined
  const issued = await issueOnKey({
    ...p,
    newKey: async () => {
      keys = generate(p.deps)
      return softwareKey(keys.privateKey)
    },
    // The key file is made (and kept) before the CA hears "accepted".
    beforeConfirm: async (checked) => {
      p.ctx?.progress?.({ step: 'encrypt-key' })
      bundle = npkiBundle(checked.certDer, pkcs8WithRandomNum(keys!.privateKey), p.newPassword)
      await p.keep?.(bundle)
    },
  })
  return { bundle: bundle!, certificate: issued.certificate, caPubs: issued.caPubs }
}

/**
 * 발급 with a key that lives elsewhere (a security token generates it and keeps it): `newKey` is called once, after
 * the codes are checked and before the CA is contacted, and returns what signs the proof of possession. The result
 * is the checked and confirmed certificate; no key file exists.
 */
export async function issueOnKey(p: IssueOnKeyParams): Promise<IssuedOnKey> {
  const { profile, ctx } = p
  const referenceNumber = checkCode(p.referenceNumber, '참조번호 (reference number)', 'referenceNumber')
  const authCode = checkCode(p.authCode, '인가코드 (authorization code)', 'authCode')
  const caCert = profileCaCertificate(profile)
  checkAborted(ctx)

  ctx?.progress?.({ step: 'generate-key' })
  const newKey = await p.newKey()
  // POPOSigningKey without poposkInput needs a subject in the template (RFC 4211 §4.1; OpenSSL enforces it):
  // the profile's, or the empty Name when the CA fills it from the RA record.
  const subject = profile.subject ? encodeDn(profile.subject) : seq()

  const secret = new TextEncoder().encode(authCode)
  const protection: Protection = { kind: 'pbm', senderKID: new TextEncoder().encode(referenceNumber), secret, settings: profile.pbm }
  try {
    const issued = await enroll({ profile, caCert, protection, ctx, deps: p.deps, kind: 'ir', newKey, sender: subject, subject, beforeConfirm: p.beforeConfirm })
    return { certDer: issued.der, certificate: issued.info, caPubs: issued.caPubs }
  } finally {
    secret.fill(0)
  }
}

export async function renewCertificate(p: RenewParams): Promise<IssuedCertificate> {
  const password = 'new' in p.password ? p.password.new : p.password.keep
  if ('new' in p.password) requireStrongPassword(p.password.new)
  else if (typeof password !== 'string' || password.length === 0) throw new DojangError('INVALID_INPUT', 'The password to keep is empty')
  let keys: { privateKey: KeyObject; publicKey: KeyObject } | undefined
  let bundle: CertBundle | undefined
  // The VID in the new certificate is the CA's copy of the old one (it never learns a new R over kur), so the new
  // key keeps the old randomNum; a key without one gets a fresh R.
  const randomNum = randomNumOf(p.current.pkcs8)
  const issued = await renewOnKey({
    profile: p.profile,
    current: { certDer: p.current.certDer, key: softwareKey(privateKeyOf(p.current.pkcs8)) },
    ctx: p.ctx,
    deps: p.deps,
    newKey: async () => {
      keys = generate(p.deps)
      return softwareKey(keys.privateKey)
    },
    // The key file is made (and kept) before the CA hears "accepted".
    beforeConfirm: async (checked) => {
      p.ctx?.progress?.({ step: 'encrypt-key' })
      bundle = npkiBundle(checked.certDer, pkcs8WithRandomNum(keys!.privateKey, randomNum), password, p.scheme ?? NEW_KEY_SCHEME)
      await p.keep?.(bundle)
    },
  })
  return { bundle: bundle!, certificate: issued.certificate, caPubs: issued.caPubs }
}

/**
 * 갱신 with keys held elsewhere: `current.key` signs the kur (the current certificate's key, e.g. on a token) and
 * `newKey` makes the new key (called once, before the CA is contacted) and signs its proof of possession.
 */
export async function renewOnKey(p: RenewOnKeyParams): Promise<IssuedOnKey> {
  const { profile, ctx } = p
  const caCert = profileCaCertificate(profile)
  const current = currentCertificate(p.current.certDer)
  checkAborted(ctx)

  ctx?.progress?.({ step: 'generate-key' })
  const newKey = await p.newKey()
  const protection: Protection = { kind: 'signature', key: p.current.key, certDer: current.der, hash: profile.signatureHash }
  const issued = await enroll({
    profile, caCert, protection, ctx, deps: p.deps, kind: 'kur', newKey,
    sender: current.subject, subject: current.subject, oldCertId: { issuer: current.issuer, serial: current.serial },
    beforeConfirm: p.beforeConfirm,
  })
  return { certDer: issued.der, certificate: issued.info, caPubs: issued.caPubs }
}

export async function revokeCertificate(p: RevokeParams): Promise<RevokeResult> {
  const { profile, ctx } = p
  const reason = CRL_REASONS[p.reason]
  if (reason === undefined) throw new DojangError('INVALID_INPUT', `Unknown revocation reason "${String(p.reason)}"`, { field: 'reason' })
  const caCert = profileCaCertificate(profile)
  const cert = currentCertificate(p.certDer)
  let protection: Protection
  let secret: Uint8Array | undefined
  if (p.auth.kind === 'key') {
    protection = { kind: 'signature', key: softwareKey(privateKeyOf(p.auth.pkcs8)), certDer: cert.der, hash: profile.signatureHash }
  } else if (p.auth.kind === 'holder') {
    protection = { kind: 'signature', key: p.auth.key, certDer: cert.der, hash: profile.signatureHash }
  } else {
    const ref = checkCode(p.auth.referenceNumber, '참조번호 (reference number)', 'referenceNumber')
    secret = new TextEncoder().encode(checkCode(p.auth.authCode, '인가코드 (authorization code)', 'authCode'))
    protection = { kind: 'pbm', senderKID: new TextEncoder().encode(ref), secret, settings: profile.pbm }
  }
  checkAborted(ctx)
  const transport = p.deps?.transport ?? createTransport(profile)
  try {
    const session = newSession({ profile, caCert, protection, transport, ctx, deps: p.deps, operation: 'rr', sender: cert.subject })
    ctx?.progress?.({ step: 'contact-ca', detail: { ca: profile.name, endpoint: profileEndpoint(profile) } })
    const rp = await session.exchange(BODY.rr, encodeRevReq(cert.issuer, cert.serial, reason), [BODY.rp])
    const content = parse(() => decodeRevRep(rp.content), 'rr')
    const status = content.status[0]!
    if (status.status !== PKI_STATUS.accepted && status.status !== PKI_STATUS.grantedWithMods && status.status !== PKI_STATUS.revocationWarning && status.status !== PKI_STATUS.revocationNotification) {
      throw fromStatus(status, 'rr', { verified: true })
    }
    return { status: status.status }
  } finally {
    secret?.fill(0)
    if (!p.deps?.transport) transport.close()
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface EnrollParams {
  profile: CaProfile
  caCert: X509Certificate
  protection: Protection
  ctx?: OperationContext
  deps?: IssuanceDeps
  kind: 'ir' | 'kur'
  newKey: KeyHolder
  sender: Uint8Array
  subject?: Uint8Array
  oldCertId?: { issuer: Uint8Array; serial: Uint8Array }
  beforeConfirm?: BeforeConfirm | undefined
}

/** ir/kur → ip/kup (polling while the CA says "waiting") → checks → certConf → pkiconf. */
async function enroll(e: EnrollParams): Promise<{ der: Uint8Array; caPubs: Uint8Array[]; info: CertificateInfo }> {
  const { profile, ctx } = e
  const transport = e.deps?.transport ?? createTransport(profile)
  try {
    const session = newSession({ profile, caCert: e.caCert, protection: e.protection, transport, ctx, deps: e.deps, operation: e.kind, sender: e.sender })
    const spki = e.newKey.spki()
    const reqMsg = await encodeCertReqMsgWith({ certReqId: CERT_REQ_ID, spki, subject: e.subject, oldCertId: e.oldCertId }, e.newKey, profile.signatureHash)
    const repTag = e.kind === 'ir' ? BODY.ip : BODY.kup
    ctx?.progress?.({ step: 'contact-ca', detail: { ca: profile.name, endpoint: profileEndpoint(profile) } })
    let rep = await session.exchange(e.kind === 'ir' ? BODY.ir : BODY.kur, encodeCertReqMessages(reqMsg), [repTag])
    let response = certResponse(rep, e.kind)
    const pollUntil = Date.now() + profile.maxPollSeconds * 1000
    while (response.status.status === PKI_STATUS.waiting) {
      rep = await poll(session, repTag, pollUntil, e.kind, ctx)
      response = certResponse(rep, e.kind)
    }
    if (response.status.status !== PKI_STATUS.accepted && response.status.status !== PKI_STATUS.grantedWithMods) {
      throw fromStatus(response.status, e.kind, { verified: true })
    }
    if (!response.certificate) {
      throw caBadResponse(response.encryptedCert ? 'encrypted-certificate' : 'no-certificate',
        response.encryptedCert ? 'The certificate authority returned an encrypted certificate, which Dojang does not request or support' : 'The certificate authority accepted the request but sent no certificate',
        { operation: e.kind })
    }
    const caPubs = parse(() => decodeCertRep(rep.content).caPubs, e.kind)

    ctx?.progress?.({ step: 'check-certificate' })
    let problem = checkIssuedCertificate(response.certificate, { spki, caCert: e.caCert, intermediates: caPubs, now: e.deps?.now?.() ?? new Date() })
    let parts: CertParts | undefined
    let info: CertificateInfo | undefined
    try {
      parts = certParts(response.certificate)
      // Everything the caller will need from the certificate is read now, before the CA hears "accepted".
      info = parseCertificate(response.certificate)
    } catch {
      problem ??= 'malformed'
    }
    if (problem || !parts || !info) {
      // Tell the CA we do not accept it (best effort: the refusal we report is ours, whatever it answers).
      if (parts && profile.confirm === 'certConf') {
        await session
          .exchange(BODY.certConf, encodeCertConf(certHash(parts), response.certReqId, { text: `rejected by client: ${problem}`, failBits: [REJECT_BITS[problem ?? 'malformed']] }), [BODY.pkiconf])
          .catch(() => undefined)
      }
      throw caBadResponse(problem ?? 'malformed', ISSUED_PROBLEMS[problem ?? 'malformed'], { operation: e.kind })
    }

    checkAborted(ctx)
    if (e.beforeConfirm) {
      try {
        await e.beforeConfirm({ certDer: response.certificate, certificate: info, caPubs })
      } catch (err) {
        // The certificate could not be made safe here (a full disk, a token that refused it): the CA hears that
        // we do not accept it, rather than confirming a certificate that would then exist only in memory.
        if (profile.confirm === 'certConf') {
          await session
            .exchange(BODY.certConf, encodeCertConf(certHash(parts), response.certReqId, { text: 'rejected by client: could not store the certificate', failBits: [SYSTEM_FAILURE] }), [BODY.pkiconf])
            .catch(() => undefined)
        }
        throw err
      }
    }
    // Once we confirm, we finish (bounded by the timeout): a cancel now would leave the CA with a confirmed
    // certificate and us without it.
    ctx?.progress?.({ step: 'confirm' })
    if (profile.confirm === 'certConf') {
      const conf = await session.exchange(BODY.certConf, encodeCertConf(certHash(parts), response.certReqId), [BODY.pkiconf], { cancellable: false })
      parse(() => decodePkiConf(conf.content), e.kind)
    } else {
      await session.notify(BODY.pkiconf, encodeCmpV1Conf())
    }
    return { der: response.certificate, caPubs, info }
  } finally {
    if (!e.deps?.transport) transport.close()
  }
}

const ISSUED_PROBLEMS: Record<IssuedCertProblem, string> = {
  malformed: 'The certificate from the certificate authority cannot be read',
  publicKeyMismatch: 'The certificate authority returned a certificate for another key, not the one Dojang generated',
  untrustedIssuer: "The returned certificate does not chain to the profile's CA certificate",
  notValidNow: 'The returned certificate is not valid today (check the computer clock)',
  subjectMismatch: 'The returned certificate names another subject',
}
/** PKIFailureInfo systemFailure: our side could not keep the certificate. */
const SYSTEM_FAILURE = 25
/** PKIFailureInfo bits for a negative certConf. */
const REJECT_BITS: Record<IssuedCertProblem, number> = {
  malformed: 5, // badDataFormat
  publicKeyMismatch: 7, // incorrectData
  untrustedIssuer: 20, // signerNotTrusted
  notValidNow: 3, // badTime
  subjectMismatch: 19, // badCertTemplate
}

/** A CA that keeps saying "check back after 0 s" must not keep us busy forever. */
const MAX_POLLS = 100

async function poll(session: CmpSession, repTag: number, until: number, op: string, ctx?: OperationContext): Promise<DecodedMessage> {
  for (let n = 0; ; n++) {
    if (n >= MAX_POLLS) throw new DojangError('CA_BUSY', 'The certificate authority keeps asking to wait; try again later', { operation: op, polls: n })
    const answer = await session.exchange(BODY.pollReq, encodePollReq(CERT_REQ_ID), [BODY.pollRep, repTag])
    if (answer.bodyTag === repTag) return answer
    const rep = parse(() => decodePollRep(answer.content), op)[0]!
    const waitMs = rep.checkAfterSeconds * 1000
    if (Date.now() + waitMs > until) {
      throw new DojangError('CA_BUSY', `The certificate authority asks to wait ${rep.checkAfterSeconds} s more, longer than this profile allows`, { operation: op, checkAfter: rep.checkAfterSeconds })
    }
    ctx?.progress?.({ step: 'waiting', detail: { seconds: rep.checkAfterSeconds } })
    await sleep(waitMs, ctx?.signal)
  }
}

function certResponse(rep: DecodedMessage, op: string): CertResponse {
  const content = parse(() => decodeCertRep(rep.content), op)
  const r = content.responses.find((x) => x.certReqId === CERT_REQ_ID)
  if (!r) throw caBadResponse('cert-req-id', 'The answer from the certificate authority is about another request (certReqId)', { operation: op })
  return r
}

function newSession(o: {
  profile: CaProfile
  caCert: X509Certificate
  protection: Protection
  transport: CmpTransport
  ctx?: OperationContext
  deps?: IssuanceDeps
  operation: string
  sender: Uint8Array
}): CmpSession {
  const recipient = o.profile.recipient ? encodeDn(o.profile.recipient) : certParts(new Uint8Array(o.caCert.raw)).subject
  const session = new CmpSession({
    transport: o.transport,
    protection: o.protection,
    sender: o.sender,
    recipient,
    caCert: o.caCert,
    pvno: o.profile.pvno,
    operation: o.operation,
    signal: o.ctx?.signal,
    now: o.deps?.now,
  })
  session.tap = o.deps?.tap
  return session
}

function parse<T>(fn: () => T, op: string): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof DerError) throw caBadResponse('malformed', 'The certificate authority sent a message body that is not valid CMP', { operation: op, problem: e.message }, e)
    throw e
  }
}

function generate(deps?: IssuanceDeps): { privateKey: KeyObject; publicKey: KeyObject } {
  return deps?.generateKeyPair?.() ?? generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
}

function currentCertificate(der: Uint8Array): CertParts {
  try {
    return certParts(der)
  } catch (e) {
    throw new DojangError('CORRUPT_FILE', 'The current certificate cannot be read', { file: 'signCert.der' }, { cause: e })
  }
}

function privateKeyOf(pkcs8: Uint8Array): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })
  } catch (e) {
    throw new DojangError('CORRUPT_FILE', 'The current private key cannot be used', { file: 'signPri.key' }, { cause: e })
  }
}

/** 참조번호 and 인가코드 go out exactly as typed, minus surrounding spaces (how CAs normalize them is open, docs/cmp.md). */
function checkCode(value: string, label: string, field: string): string {
  if (typeof value !== 'string') throw new DojangError('INVALID_INPUT', `The ${label} must be text`, { field })
  const v = value.trim()
  if (v.length === 0 || v.length > 128 || !/^[\x21-\x7e]+$/.test(v)) {
    throw new DojangError('INVALID_INPUT', `The ${label} is empty or has characters no CA issues`, { field })
  }
  return v
}

function checkAborted(ctx?: OperationContext): void {
  if (ctx?.signal?.aborted) throw cancelled()
}
