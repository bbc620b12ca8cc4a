/**
 * PKIMessage (RFC 4210 §5.1) encoding and strict decoding: the header, the bodies Dojang sends (ir, cr, kur, rr,
 * certConf, pollReq, CMPv1 conf) and the bodies it accepts (ip, cp, kup, rp, pkiconf, pollRep, error). The CMP
 * ASN.1 module tags explicitly: every header field [n] wraps its full inner TLV, and the body is [type] around
 * the content.
 */
import {
  children, concat, ctx, DerError, encodeAlgorithmId, encodeFreeText, encodeOid, encodeTlv, explicit, expectTag,
  generalizedTime, integer, nullValue, octets, readAlgorithmId, readBitString, readFreeText, readGeneralizedTime,
  readInt, readOctets, readOid, readWhole, seq, seqChildren, T, unwrapExplicit, utf8, type AlgorithmId, type Tlv,
} from './asn1'

/** Body tags (cmp.md §4). `conf` is CMPv1's client confirmation and shares tag 19 with pkiconf. */
export const BODY = {
  ir: 0, ip: 1, cr: 2, cp: 3, p10cr: 4, kur: 7, kup: 8, rr: 11, rp: 12,
  pkiconf: 19, genm: 21, genp: 22, error: 23, certConf: 24, pollReq: 25, pollRep: 26,
} as const
export type BodyName = keyof typeof BODY
export const BODY_NAMES: Record<number, BodyName> = Object.fromEntries(Object.entries(BODY).map(([k, v]) => [v, k as BodyName]))

/** Far above any real CMP message (a few KiB), low enough that a hostile peer cannot exhaust memory. */
export const MAX_MESSAGE_BYTES = 1 << 20
const MAX_CERTS = 16
const MAX_RESPONSES = 8
/** Nonces and transaction IDs are 16 bytes in practice; RFC 4210 asks for at least 128 bits. */
const MAX_ID_BYTES = 64

export interface InfoTypeAndValue {
  oid: string
  value?: Uint8Array
}

export interface PkiHeader {
  /** 1 = cmp1999 (RFC 2510), 2 = cmp2000 (RFC 4210). */
  pvno: number
  /** GeneralName DER (usually [4] directoryName). */
  sender: Uint8Array
  recipient: Uint8Array
  messageTime?: Date
  protectionAlg?: AlgorithmId
  senderKID?: Uint8Array
  recipKID?: Uint8Array
  transactionID?: Uint8Array
  senderNonce?: Uint8Array
  recipNonce?: Uint8Array
  freeText?: string[]
  generalInfo?: InfoTypeAndValue[]
}

export function encodeHeader(h: PkiHeader): Uint8Array {
  const parts: Uint8Array[] = [integer(h.pvno), h.sender, h.recipient]
  if (h.messageTime) parts.push(explicit(0, generalizedTime(h.messageTime)))
  if (h.protectionAlg) parts.push(explicit(1, encodeAlgorithmId(h.protectionAlg)))
  if (h.senderKID) parts.push(explicit(2, octets(h.senderKID)))
  if (h.recipKID) parts.push(explicit(3, octets(h.recipKID)))
  if (h.transactionID) parts.push(explicit(4, octets(h.transactionID)))
  if (h.senderNonce) parts.push(explicit(5, octets(h.senderNonce)))
  if (h.recipNonce) parts.push(explicit(6, octets(h.recipNonce)))
  if (h.freeText) parts.push(explicit(7, encodeFreeText(h.freeText)))
  if (h.generalInfo) {
    parts.push(explicit(8, seq(...h.generalInfo.map((i) => seq(encodeOid(i.oid), ...(i.value ? [i.value] : []))))))
  }
  return seq(...parts)
}

/** DER of ProtectedPart ::= SEQUENCE { header, body }, over exactly the given (received or encoded) bytes. */
export function protectedPart(headerDer: Uint8Array, bodyDer: Uint8Array): Uint8Array {
  return seq(headerDer, bodyDer)
}

export function encodeBody(tag: number, content: Uint8Array): Uint8Array {
  return explicit(tag, content)
}

export function encodeMessage(headerDer: Uint8Array, bodyDer: Uint8Array, protection?: Uint8Array, extraCerts: Uint8Array[] = []): Uint8Array {
  const parts = [headerDer, bodyDer]
  if (protection) parts.push(explicit(0, encodeTlv(T.BIT_STRING, Uint8Array.of(0), protection)))
  if (extraCerts.length) parts.push(explicit(1, seq(...extraCerts)))
  return seq(...parts)
}

export interface DecodedMessage {
  header: PkiHeader
  /** The received header and body TLVs: protection is verified over these, never over a re-encoding. */
  headerBytes: Uint8Array
  bodyBytes: Uint8Array
  bodyTag: number
  /** The body's content (inside the [tag]). */
  content: Tlv
  /** MAC or signature bytes (BIT STRING content without the unused-bits octet). */
  protection?: Uint8Array
  extraCerts: Uint8Array[]
}

/** Strict decoder; throws DerError (the client turns it into CA_BAD_RESPONSE). */
export function decodeMessage(bytes: Uint8Array): DecodedMessage {
  if (bytes.length > MAX_MESSAGE_BYTES) throw new DerError('message too large')
  const top = readWhole(bytes, 'PKIMessage')
  const parts = seqChildren(top, 'PKIMessage')
  if (parts.length < 2 || parts.length > 4) throw new DerError('PKIMessage has the wrong number of fields')
  const [headerTlv, bodyTlv] = parts as [Tlv, Tlv]
  const header = decodeHeader(headerTlv)
  if ((bodyTlv.tag & 0xe0) !== 0xa0) throw new DerError('body must be a constructed context tag')
  const bodyTag = bodyTlv.tag & 0x1f
  const content = unwrapExplicit(bodyTlv, bodyTag, 'body')
  let protection: Uint8Array | undefined
  let extraCerts: Uint8Array[] = []
  let i = 2
  if (parts[i]?.tag === ctx(0)) {
    protection = readBitString(unwrapExplicit(parts[i]!, 0, 'protection'), 'protection').bytes
    i++
  }
  if (parts[i]?.tag === ctx(1)) {
    const certs = seqChildren(unwrapExplicit(parts[i]!, 1, 'extraCerts'), 'extraCerts')
    if (certs.length > MAX_CERTS) throw new DerError('too many extraCerts')
    extraCerts = certs.map((c) => expectTag(c, T.SEQUENCE, 'certificate').bytes)
    i++
  }
  if (i !== parts.length) throw new DerError('unexpected field after the body')
  return { header, headerBytes: headerTlv.bytes, bodyBytes: bodyTlv.bytes, bodyTag, content, protection, extraCerts }
}

function decodeHeader(tlv: Tlv): PkiHeader {
  const f = seqChildren(tlv, 'PKIHeader')
  if (f.length < 3) throw new DerError('PKIHeader is missing fields')
  const pvno = readInt(f[0], 'pvno')
  const generalName = (t: Tlv | undefined, what: string): Uint8Array => {
    if (!t || (t.tag & 0xc0) !== 0x80 || (t.tag & 0x1f) > 8) throw new DerError(`${what} must be a GeneralName`)
    return t.bytes
  }
  const h: PkiHeader = { pvno, sender: generalName(f[1], 'sender'), recipient: generalName(f[2], 'recipient') }
  let last = -1
  for (const field of f.slice(3)) {
    if ((field.tag & 0xe0) !== 0xa0) throw new DerError('PKIHeader field must be an explicit context tag')
    const n = field.tag & 0x1f
    if (n <= last || n > 8) throw new DerError('PKIHeader fields out of order or unknown')
    last = n
    const inner = unwrapExplicit(field, n, `header [${n}]`)
    switch (n) {
      case 0: h.messageTime = readGeneralizedTime(inner); break
      case 1: h.protectionAlg = readAlgorithmId(inner, 'protectionAlg'); break
      case 2: h.senderKID = readOctets(inner, 'senderKID', 256); break
      case 3: h.recipKID = readOctets(inner, 'recipKID', 256); break
      case 4: h.transactionID = readOctets(inner, 'transactionID', MAX_ID_BYTES); break
      case 5: h.senderNonce = readOctets(inner, 'senderNonce', MAX_ID_BYTES); break
      case 6: h.recipNonce = readOctets(inner, 'recipNonce', MAX_ID_BYTES); break
      case 7: h.freeText = readFreeText(inner, 'freeText'); break
      case 8:
        h.generalInfo = seqChildren(inner, 'generalInfo').slice(0, 32).map((itav) => {
          const [oidT, value, extra] = seqChildren(itav, 'InfoTypeAndValue')
          if (extra) throw new DerError('InfoTypeAndValue has extra fields')
          const oid = readOid(expectTag(oidT, T.OID, 'infoType'))
          return value ? { oid, value: value.bytes } : { oid }
        })
        break
    }
  }
  return h
}

// ---- PKIStatusInfo ----

export const PKI_STATUS = {
  accepted: 0, grantedWithMods: 1, rejection: 2, waiting: 3, revocationWarning: 4, revocationNotification: 5, keyUpdateWarning: 6,
} as const

export const FAILURE_BITS = [
  'badAlg', 'badMessageCheck', 'badRequest', 'badTime', 'badCertId', 'badDataFormat', 'wrongAuthority', 'incorrectData',
  'missingTimeStamp', 'badPOP', 'certRevoked', 'certConfirmed', 'wrongIntegrity', 'badRecipientNonce', 'timeNotAvailable',
  'unacceptedPolicy', 'unacceptedExtension', 'addInfoNotAvailable', 'badSenderNonce', 'badCertTemplate', 'signerNotTrusted',
  'transactionIdInUse', 'unsupportedVersion', 'notAuthorized', 'systemUnavail', 'systemFailure', 'duplicateCertReq',
] as const
export type FailureName = (typeof FAILURE_BITS)[number]

export interface PkiStatusInfo {
  status: number
  statusString: string[]
  failInfo: FailureName[]
}

export function decodeStatusInfo(tlv: Tlv | undefined): PkiStatusInfo {
  const f = seqChildren(tlv, 'PKIStatusInfo')
  if (f.length < 1 || f.length > 3) throw new DerError('PKIStatusInfo has the wrong number of fields')
  const status = readInt(f[0], 'status')
  if (status < 0 || status > 6) throw new DerError('unknown PKIStatus')
  const out: PkiStatusInfo = { status, statusString: [], failInfo: [] }
  for (const field of f.slice(1)) {
    if (field.tag === T.SEQUENCE) out.statusString = readFreeText(field, 'statusString')
    else if (field.tag === T.BIT_STRING) {
      const { bytes } = readBitString(field, 'failInfo', true)
      FAILURE_BITS.forEach((name, bit) => {
        const byte = bytes[bit >> 3]
        if (byte !== undefined && byte & (0x80 >> (bit & 7))) out.failInfo.push(name)
      })
    } else throw new DerError('unexpected field in PKIStatusInfo')
  }
  return out
}

export function encodeStatusInfo(status: number, text?: string, failBits: number[] = []): Uint8Array {
  const parts = [integer(status)]
  if (text) parts.push(seq(utf8(text)))
  if (failBits.length) {
    const max = Math.max(...failBits)
    const bytes = new Uint8Array((max >> 3) + 1)
    for (const b of failBits) bytes[b >> 3]! |= 0x80 >> (b & 7)
    const unused = 7 - (max & 7)
    parts.push(encodeTlv(T.BIT_STRING, Uint8Array.of(unused), bytes))
  }
  return seq(...parts)
}

// ---- Response bodies ----

export interface CertResponse {
  certReqId: number
  status: PkiStatusInfo
  /** DER of the issued certificate, when returned in the clear. */
  certificate?: Uint8Array
  /** The CA returned an EncryptedValue instead (not supported: we never ask for it). */
  encryptedCert: boolean
  /** The CA returned a private key too (CA-generated km key, cmp.md §9 question 3). */
  privateKeyReturned: boolean
}

export interface CertRepMessage {
  caPubs: Uint8Array[]
  responses: CertResponse[]
}

export function decodeCertRep(content: Tlv): CertRepMessage {
  const f = seqChildren(content, 'CertRepMessage')
  let i = 0
  let caPubs: Uint8Array[] = []
  if (f[i]?.tag === ctx(1)) {
    const certs = seqChildren(unwrapExplicit(f[i]!, 1, 'caPubs'), 'caPubs')
    if (certs.length > MAX_CERTS) throw new DerError('too many caPubs')
    caPubs = certs.map((c) => expectTag(c, T.SEQUENCE, 'caPubs certificate').bytes)
    i++
  }
  const list = seqChildren(f[i], 'response')
  if (i + 1 !== f.length) throw new DerError('CertRepMessage has extra fields')
  if (list.length === 0 || list.length > MAX_RESPONSES) throw new DerError('CertRepMessage response count out of range')
  return { caPubs, responses: list.map(decodeCertResponse) }
}

function decodeCertResponse(tlv: Tlv): CertResponse {
  const f = seqChildren(tlv, 'CertResponse')
  if (f.length < 2 || f.length > 4) throw new DerError('CertResponse has the wrong number of fields')
  const out: CertResponse = {
    certReqId: readInt(f[0], 'certReqId'),
    status: decodeStatusInfo(f[1]),
    encryptedCert: false,
    privateKeyReturned: false,
  }
  for (const field of f.slice(2)) {
    if (field.tag === T.SEQUENCE) {
      const ckp = seqChildren(field, 'CertifiedKeyPair')
      if (ckp.length < 1 || ckp.length > 3) throw new DerError('CertifiedKeyPair has the wrong number of fields')
      const coe = ckp[0]!
      if (coe.tag === ctx(0)) out.certificate = expectTag(unwrapExplicit(coe, 0, 'certificate'), T.SEQUENCE, 'certificate').bytes
      else if (coe.tag === ctx(1)) out.encryptedCert = true
      else throw new DerError('unknown CertOrEncCert')
      for (const extra of ckp.slice(1)) {
        if (extra.tag === ctx(0)) out.privateKeyReturned = true
        else if (extra.tag !== ctx(1)) throw new DerError('unexpected field in CertifiedKeyPair')
      }
    } else if (field.tag !== T.OCTET_STRING) throw new DerError('unexpected field in CertResponse')
  }
  return out
}

export interface RevRepContent {
  status: PkiStatusInfo[]
}

export function decodeRevRep(content: Tlv): RevRepContent {
  const f = seqChildren(content, 'RevRepContent')
  if (f.length < 1 || f.length > 3) throw new DerError('RevRepContent has the wrong number of fields')
  const list = seqChildren(f[0], 'RevRepContent.status')
  if (list.length === 0 || list.length > MAX_RESPONSES) throw new DerError('RevRepContent status count out of range')
  for (const extra of f.slice(1)) if (extra.tag !== ctx(0) && extra.tag !== ctx(1)) throw new DerError('unexpected field in RevRepContent')
  return { status: list.map((s) => decodeStatusInfo(s)) }
}

export interface ErrorMsgContent {
  statusInfo: PkiStatusInfo
  errorCode?: number
  errorDetails: string[]
}

export function decodeErrorMsg(content: Tlv): ErrorMsgContent {
  const f = seqChildren(content, 'ErrorMsgContent')
  if (f.length < 1 || f.length > 3) throw new DerError('ErrorMsgContent has the wrong number of fields')
  const out: ErrorMsgContent = { statusInfo: decodeStatusInfo(f[0]), errorDetails: [] }
  for (const field of f.slice(1)) {
    if (field.tag === T.INTEGER) out.errorCode = readInt(field, 'errorCode')
    else if (field.tag === T.SEQUENCE) out.errorDetails = readFreeText(field, 'errorDetails')
    else throw new DerError('unexpected field in ErrorMsgContent')
  }
  return out
}

export interface PollRep {
  certReqId: number
  checkAfterSeconds: number
  reason: string[]
}

export function decodePollRep(content: Tlv): PollRep[] {
  const list = seqChildren(content, 'PollRepContent')
  if (list.length === 0 || list.length > MAX_RESPONSES) throw new DerError('PollRepContent count out of range')
  return list.map((item) => {
    const f = seqChildren(item, 'PollRep')
    if (f.length < 2 || f.length > 3) throw new DerError('PollRep has the wrong number of fields')
    const checkAfterSeconds = readInt(f[1], 'checkAfter')
    if (checkAfterSeconds < 0) throw new DerError('negative checkAfter')
    return { certReqId: readInt(f[0], 'certReqId'), checkAfterSeconds, reason: f[2] ? readFreeText(f[2], 'reason') : [] }
  })
}

export function decodePkiConf(content: Tlv): void {
  if (content.tag !== T.NULL || content.length !== 0) throw new DerError('pkiconf must be NULL')
}

// ---- Request bodies (content only; wrap with encodeBody) ----

/** CertConfirmContent with one CertStatus; statusInfo only for a rejection (accepted is the default). */
export function encodeCertConf(certHash: Uint8Array, certReqId: number, rejection?: { text: string; failBits: number[] }): Uint8Array {
  const status = [octets(certHash), integer(certReqId)]
  if (rejection) status.push(encodeStatusInfo(PKI_STATUS.rejection, rejection.text, rejection.failBits))
  return seq(seq(...status))
}

export function encodePollReq(certReqId: number): Uint8Array {
  return seq(seq(integer(certReqId)))
}

/** CMPv1's `conf` (RFC 2510 §3.3.17): NULL content under tag 19. */
export function encodeCmpV1Conf(): Uint8Array {
  return nullValue()
}

export const CRL_REASONS = {
  unspecified: 0, keyCompromise: 1, cACompromise: 2, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5,
  certificateHold: 6, removeFromCRL: 8, privilegeWithdrawn: 9, aACompromise: 10,
} as const
export type CrlReason = keyof typeof CRL_REASONS

/**
 * RevReqContent with one RevDetails: the certificate named by issuer + serial in a CertTemplate ([1] implicit
 * INTEGER, [3] Name explicit) and the reason as a crlEntryDetails extension.
 */
export function encodeRevReq(issuerNameDer: Uint8Array, serialIntegerDer: Uint8Array, reason: number): Uint8Array {
  const serialTlv = readWhole(serialIntegerDer, 'serial')
  const template = seq(encodeTlv(0x81, serialTlv.value), explicit(3, issuerNameDer))
  const reasonExt = seq(encodeOid('2.5.29.21'), octets(encodeTlv(T.ENUMERATED, Uint8Array.of(reason))))
  return seq(seq(template, seq(reasonExt)))
}

/** Joins two byte arrays; re-exported for callers that assemble messages. */
export { concat, children }
