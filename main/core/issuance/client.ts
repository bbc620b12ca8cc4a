/**
 * One CMP transaction: builds protected requests with a fixed transactionID and fresh nonces, and accepts an
 * answer only when it decodes strictly, its protection verifies (PBM with our secret, or a signature chaining to
 * the profile's CA certificate), it belongs to this transaction (transactionID, recipNonce = our last
 * senderNonce, a senderNonce we have not seen before) and its body is one we expect. An `error` body becomes a
 * typed error; anything else wrong becomes CA_BAD_RESPONSE or CA_AUTH_FAILED.
 */
import { randomBytes, X509Certificate } from 'node:crypto'
import { DojangError } from '../../../common/errors'
import { bytesEqual, toHex } from '../asn1/der'
import { DerError, directoryName } from './asn1'
import { caBadResponse, fromStatus } from './errors'
import type { KeyHolder } from './keyHolder'
import {
  BODY, BODY_NAMES, decodeErrorMsg, decodeMessage, encodeBody, encodeHeader, encodeMessage, protectedPart, type DecodedMessage,
  type PkiHeader,
} from './messages'
import {
  chainsTo, computePbm, OID_PBM, pbmAlgorithm, signatureAlgorithm, UnsupportedProtection, verifyPbm, verifySignature,
  type PbmSettings, type SignatureHash,
} from './protection'
import type { CmpTransport } from './transport/types'

export type Protection =
  | { kind: 'pbm'; senderKID: Uint8Array; secret: Uint8Array; settings: PbmSettings }
  /** Signed by the current certificate's key (renewal, revocation), wherever that key is held. */
  | { kind: 'signature'; key: KeyHolder; certDer: Uint8Array; hash: SignatureHash }

export interface SessionOptions {
  transport: CmpTransport
  protection: Protection
  /** Our Name (DER): the subject when known, else the empty Name. */
  sender: Uint8Array
  /** The CA's Name (DER). */
  recipient: Uint8Array
  /** Trust anchor for signed answers. */
  caCert: X509Certificate
  pvno: 1 | 2
  /** Used in error details ('ir', 'kur', 'rr'). */
  operation: string
  signal?: AbortSignal
  now?: () => Date
}

/** What a test may observe about every message sent (no secrets: they are inside the MAC, not the message). */
export type MessageTap = (direction: 'request' | 'response', der: Uint8Array) => void

export class CmpSession {
  readonly transactionID = new Uint8Array(randomBytes(16))
  private ourLastNonce?: Uint8Array
  private theirLastNonce?: Uint8Array
  private readonly seenNonces = new Set<string>()
  tap?: MessageTap

  constructor(private readonly o: SessionOptions) {}

  private now(): Date {
    return this.o.now?.() ?? new Date()
  }

  /** Builds and protects one request; remembers its senderNonce. */
  async buildRequest(bodyTag: number, content: Uint8Array): Promise<Uint8Array> {
    const p = this.o.protection
    const senderNonce = new Uint8Array(randomBytes(16))
    const header: PkiHeader = {
      pvno: this.o.pvno,
      sender: directoryName(this.o.sender),
      recipient: directoryName(this.o.recipient),
      messageTime: this.now(),
      protectionAlg: p.kind === 'pbm' ? pbmAlgorithm(p.settings, new Uint8Array(randomBytes(16))) : signatureAlgorithm(p.hash),
      transactionID: this.transactionID,
      senderNonce,
    }
    if (p.kind === 'pbm') header.senderKID = p.senderKID
    if (this.theirLastNonce) header.recipNonce = this.theirLastNonce
    const headerDer = encodeHeader(header)
    const bodyDer = encodeBody(bodyTag, content)
    const part = protectedPart(headerDer, bodyDer)
    const protection = p.kind === 'pbm' ? computePbm(p.secret, header.protectionAlg!, part) : await p.key.sign(p.hash, part)
    this.ourLastNonce = senderNonce
    return encodeMessage(headerDer, bodyDer, protection, p.kind === 'signature' ? [p.certDer] : [])
  }

  /** Sends a request and returns the verified answer, whose body tag is one of `expected`. */
  async exchange(bodyTag: number, content: Uint8Array, expected: number[], opts: { cancellable?: boolean } = {}): Promise<DecodedMessage> {
    const request = await this.buildRequest(bodyTag, content)
    this.tap?.('request', request)
    const answer = await this.o.transport.send(request, { signal: opts.cancellable === false ? undefined : this.o.signal })
    this.tap?.('response', answer)
    return this.accept(answer, expected)
  }

  /** Sends a request that has no answer (CMPv1 `conf`). */
  async notify(bodyTag: number, content: Uint8Array): Promise<void> {
    const request = await this.buildRequest(bodyTag, content)
    this.tap?.('request', request)
    await this.o.transport.send(request, { expectReply: false })
  }

  /** Every check of cmp.md §5 points 1–3 on one received message. */
  accept(bytes: Uint8Array, expected: number[]): DecodedMessage {
    let msg: DecodedMessage
    try {
      msg = decodeMessage(bytes)
    } catch (e) {
      if (e instanceof DerError) throw caBadResponse('malformed', 'The certificate authority sent a message that is not valid CMP', { operation: this.o.operation, problem: e.message }, e)
      throw e
    }
    const isError = msg.bodyTag === BODY.error
    const verified = this.verifyProtection(msg, isError)
    this.checkTransaction(msg)
    if (isError) {
      let content
      try {
        content = decodeErrorMsg(msg.content)
      } catch (e) {
        throw caBadResponse('malformed', 'The certificate authority sent an error message that is not valid CMP', { operation: this.o.operation }, e)
      }
      throw fromStatus(content.statusInfo, this.o.operation, { verified, errorCode: content.errorCode })
    }
    if (!verified) {
      throw caBadResponse('unprotected', 'The certificate authority answered without protection; an unprotected answer cannot be trusted', { operation: this.o.operation })
    }
    if (!expected.includes(msg.bodyTag)) {
      throw caBadResponse('unexpected-body', `The certificate authority answered with ${BODY_NAMES[msg.bodyTag] ?? `body ${msg.bodyTag}`}, which does not fit this request`, {
        operation: this.o.operation,
        body: BODY_NAMES[msg.bodyTag] ?? msg.bodyTag,
      })
    }
    this.theirLastNonce = msg.header.senderNonce
    return msg
  }

  /** True when protected and verified, false when unprotected (only tolerated for error bodies); throws otherwise. */
  private verifyProtection(msg: DecodedMessage, isError: boolean): boolean {
    const alg = msg.header.protectionAlg
    if (!alg || !msg.protection) return false
    const part = protectedPart(msg.headerBytes, msg.bodyBytes)
    const op = this.o.operation
    try {
      if (alg.oid === OID_PBM) {
        const p = this.o.protection
        if (p.kind !== 'pbm') throw caBadResponse('unexpected-protection', 'The certificate authority protected its answer with a password MAC although we signed', { operation: op })
        if (verifyPbm(p.secret, alg, part, msg.protection)) return true
        if (isError) {
          throw new DojangError(
            'CA_AUTH_FAILED',
            'The certificate authority refused the request and its answer cannot be verified with this 인가코드: the 참조번호 or 인가코드 is probably wrong',
            { operation: op, reason: 'reply-not-verifiable', hint: 'checkCodes' },
          )
        }
        throw caBadResponse('bad-protection', 'The answer from the certificate authority failed its integrity check (it was changed on the way, or the 인가코드 is wrong)', { operation: op })
      }
      const signer = msg.extraCerts[0]
      if (!signer) throw caBadResponse('untrusted-signer', 'The certificate authority signed its answer but did not include its certificate', { operation: op })
      let signerCert: X509Certificate
      let pool: X509Certificate[]
      try {
        signerCert = new X509Certificate(Buffer.from(signer))
        pool = msg.extraCerts.slice(1).map((c) => new X509Certificate(Buffer.from(c)))
      } catch (e) {
        throw caBadResponse('malformed', 'The certificate authority sent a certificate that cannot be read', { operation: op }, e)
      }
      if (!chainsTo(signerCert, this.o.caCert, pool, this.now())) {
        throw caBadResponse('untrusted-signer', "The answer is signed by a certificate that does not chain to the profile's CA certificate", { operation: op })
      }
      if (!verifySignature(alg, signerCert.publicKey, part, msg.protection)) {
        throw caBadResponse('bad-protection', 'The signature on the answer from the certificate authority does not verify (it was changed on the way)', { operation: op })
      }
      return true
    } catch (e) {
      if (e instanceof UnsupportedProtection) throw caBadResponse('unsupported-protection', `The certificate authority protects its answer with something Dojang does not accept (${e.message})`, { operation: op }, e)
      if (e instanceof DerError) throw caBadResponse('malformed', 'The protection of the answer is not valid CMP', { operation: op, problem: e.message }, e)
      throw e
    }
  }

  private checkTransaction(msg: DecodedMessage): void {
    const h = msg.header
    const op = this.o.operation
    if (!h.transactionID || !bytesEqual(h.transactionID, this.transactionID)) {
      throw caBadResponse('transaction-id', 'The answer belongs to another transaction (transactionID differs); it may be replayed', { operation: op })
    }
    if (!h.recipNonce || !this.ourLastNonce || !bytesEqual(h.recipNonce, this.ourLastNonce)) {
      throw caBadResponse('recip-nonce', 'The answer does not answer our last message (recipNonce differs); it may be replayed', { operation: op })
    }
    if (!h.senderNonce || h.senderNonce.length < 8) {
      throw caBadResponse('sender-nonce', 'The answer carries no usable senderNonce', { operation: op })
    }
    const key = toHex(h.senderNonce)
    if (this.seenNonces.has(key)) throw caBadResponse('replayed', 'The certificate authority repeated an earlier message (same senderNonce)', { operation: op })
    this.seenNonces.add(key)
  }
}
