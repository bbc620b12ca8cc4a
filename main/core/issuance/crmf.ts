/**
 * CRMF (RFC 4211) certificate requests: CertReqMsg with a CertTemplate (subject, public key), the oldCertID
 * control for key updates, and proof of possession signed by the NEW key over DER(certReq) (POPOSigningKey
 * without poposkInput, since the template carries subject and key; cmp.md §2.2).
 */
import type { KeyObject } from 'node:crypto'
import { concat, directoryName, encodeAlgorithmId, encodeOid, encodeTlv, explicit, integer, readWhole, seq, T, bitString } from './asn1'
import type { KeyHolder } from './keyHolder'
import { sign, signatureAlgorithm, type SignatureHash } from './protection'

export const OID_REG_CTRL_OLD_CERT_ID = '1.3.6.1.5.5.7.5.1.5'

export interface CertRequestSpec {
  certReqId: number
  /** DER SubjectPublicKeyInfo of the new key. */
  spki: Uint8Array
  /** DER Name; omitted when the CA fills the subject from its RA record. */
  subject?: Uint8Array
  /** For kur: the certificate being replaced (issuer Name DER and serial INTEGER DER). */
  oldCertId?: { issuer: Uint8Array; serial: Uint8Array }
}

export function encodeCertRequest(spec: CertRequestSpec): Uint8Array {
  const spki = readWhole(spec.spki, 'SubjectPublicKeyInfo')
  if (spki.tag !== T.SEQUENCE) throw new RangeError('SPKI must be a SEQUENCE')
  const template: Uint8Array[] = []
  if (spec.subject) template.push(explicit(5, spec.subject))
  template.push(encodeTlv(0xa6, spki.value)) // [6] IMPLICIT SubjectPublicKeyInfo
  const fields = [integer(spec.certReqId), seq(...template)]
  if (spec.oldCertId) {
    const certId = seq(directoryName(spec.oldCertId.issuer), spec.oldCertId.serial)
    fields.push(seq(seq(encodeOid(OID_REG_CTRL_OLD_CERT_ID), certId)))
  }
  return seq(...fields)
}

/** CertReqMsg { certReq, popo [1] POPOSigningKey } with the signature made by `newKey`. */
export function encodeCertReqMsg(spec: CertRequestSpec, newKey: KeyObject, hash: SignatureHash): Uint8Array {
  const certReq = encodeCertRequest(spec)
  return withPop(certReq, hash, sign(newKey, hash, certReq))
}

/** The same with the POP signed by whatever holds the new key (a security token signs it inside). */
export async function encodeCertReqMsgWith(spec: CertRequestSpec, newKey: KeyHolder, hash: SignatureHash): Promise<Uint8Array> {
  const certReq = encodeCertRequest(spec)
  return withPop(certReq, hash, await newKey.sign(hash, certReq))
}

function withPop(certReq: Uint8Array, hash: SignatureHash, sig: Uint8Array): Uint8Array {
  const popo = encodeTlv(0xa1, concat(encodeAlgorithmId(signatureAlgorithm(hash)), bitString(sig)))
  return seq(certReq, popo)
}

/** CertReqMessages with one request (ir, cr and kur bodies). */
export function encodeCertReqMessages(...msgs: Uint8Array[]): Uint8Array {
  return seq(...msgs)
}
