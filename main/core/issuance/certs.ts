/**
 * The few fields of an X.509 certificate CMP needs as exact DER (issuer, subject, serial, public key, signature
 * algorithm), and the checks on a certificate the CA returns before anything is stored (cmp.md §5).
 */
import { createHash, X509Certificate } from 'node:crypto'
import { bytesEqual } from '../asn1/der'
import { DerError, expectTag, readAlgorithmId, readWhole, seqChildren, T, ctx } from './asn1'
import { chainsTo, OID_SHA1_WITH_RSA } from './protection'

export interface CertParts {
  der: Uint8Array
  serial: Uint8Array
  issuer: Uint8Array
  subject: Uint8Array
  spki: Uint8Array
  signatureAlgOid: string
}

/** Throws DerError when `der` is not a single DER certificate. */
export function certParts(der: Uint8Array): CertParts {
  const top = seqChildren(readWhole(der, 'Certificate'), 'Certificate')
  if (top.length !== 3) throw new DerError('Certificate must have three fields')
  const tbs = seqChildren(top[0], 'tbsCertificate')
  let i = tbs[0]?.tag === ctx(0) ? 1 : 0
  const serial = expectTag(tbs[i++], T.INTEGER, 'serialNumber').bytes
  i++ // signature
  const issuer = expectTag(tbs[i++], T.SEQUENCE, 'issuer').bytes
  i++ // validity
  const subject = expectTag(tbs[i++], T.SEQUENCE, 'subject').bytes
  const spki = expectTag(tbs[i++], T.SEQUENCE, 'subjectPublicKeyInfo').bytes
  const signatureAlgOid = readAlgorithmId(top[1], 'signatureAlgorithm').oid
  return { der, serial, issuer, subject, spki, signatureAlgOid }
}

/** certHash for certConf: the hash of the certificate's own signature algorithm (SHA-256 unless it is SHA-1). */
export function certHash(parts: CertParts): Uint8Array {
  return new Uint8Array(createHash(parts.signatureAlgOid === OID_SHA1_WITH_RSA ? 'sha1' : 'sha256').update(parts.der).digest())
}

/** A PEM or DER certificate as DER; undefined when it is neither. */
export function certificateDer(input: Uint8Array | string): Uint8Array | undefined {
  try {
    const x = new X509Certificate(typeof input === 'string' ? input : Buffer.from(input))
    return new Uint8Array(x.raw)
  } catch {
    return undefined
  }
}

export type IssuedCertProblem = 'malformed' | 'publicKeyMismatch' | 'untrustedIssuer' | 'notValidNow' | 'subjectMismatch'

/**
 * Why `der` must not be stored, or undefined when it may: it parses, carries exactly our public key, chains to
 * the profile's CA certificate (caPubs only as intermediates), is valid now, and keeps the subject we asked for.
 */
export function checkIssuedCertificate(
  der: Uint8Array,
  expect: { spki: Uint8Array; caCert: X509Certificate; intermediates: Uint8Array[]; subject?: Uint8Array; now: Date },
): IssuedCertProblem | undefined {
  let parts: CertParts
  let x: X509Certificate
  try {
    parts = certParts(der)
    x = new X509Certificate(Buffer.from(der))
  } catch {
    return 'malformed'
  }
  if (!bytesEqual(parts.spki, expect.spki)) return 'publicKeyMismatch'
  const pool: X509Certificate[] = []
  for (const c of expect.intermediates) {
    try {
      pool.push(new X509Certificate(Buffer.from(c)))
    } catch {
      // a broken caPubs entry is ignored: it can only fail to complete a path
    }
  }
  if (new Date(x.validFrom) > expect.now || new Date(x.validTo) < expect.now) return 'notValidNow'
  if (!chainsTo(x, expect.caCert, pool, expect.now)) return 'untrustedIssuer'
  if (expect.subject && !bytesEqual(parts.subject, expect.subject)) return 'subjectMismatch'
  return undefined
}
