/**
 * How Dojang names and links the objects of one certificate on a token, following the Korean token profile
 * (KCAC.TS.HSMU, 보안토큰 기반의 공인인증서 이용기술 규격) as far as it could be confirmed:
 *
 * - the certificate, its private key and its public key share one CKA_ID, which is how subscriber software pairs a
 *   certificate with its key (the profile's object attribute table, appendix 1, requires that link);
 * - the CKA_ID is SHA-1 over the RSA modulus (unsigned, big-endian) — the common PKCS#11 convention (NSS, OpenSC),
 *   so the ID of a key can be recomputed from the certificate alone;
 * - the labels mirror the NPKI file names: signCert / signPri / signPub for the signing pair and kmCert / kmPri /
 *   kmPub for the key-management pair.
 *
 * The exact label strings of the profile were not available to check; reading never depends on them (every X.509
 * certificate object is listed and keys are matched by CKA_ID, then by modulus), so a certificate that a bank put on
 * the token is shown whatever its labels are. Everything about naming lives here so it can be adjusted in one place.
 */
import { createHash } from 'node:crypto'
import { children, DerError, readSingle, stripLeadingZeros, TAG, type Tlv } from '../../asn1/der'

export type CertRole = 'sign' | 'km'

export interface ObjectLabels {
  cert: string
  key: string
  pub: string
}

export function labelsFor(role: CertRole): ObjectLabels {
  return role === 'km' ? { cert: 'kmCert', key: 'kmPri', pub: 'kmPub' } : { cert: 'signCert', key: 'signPri', pub: 'signPub' }
}

/** CKA_ID of a certificate's objects: SHA-1 of the RSA modulus without leading zero bytes. */
export function keyIdForModulus(modulus: Uint8Array): Buffer {
  return createHash('sha1').update(stripLeadingZeros(modulus)).digest()
}

/** The DER pieces of a certificate that PKCS#11 certificate objects carry (CKA_SUBJECT is required by SoftHSM). */
export interface CertificateFields {
  subject: Uint8Array
  issuer: Uint8Array
  /** The serial number as a DER INTEGER (tag and length included), as CKA_SERIAL_NUMBER wants it. */
  serialNumber: Uint8Array
  /** The RSA modulus and public exponent, unsigned. */
  modulus: Uint8Array
  exponent: Uint8Array
  /** keyUsage bits 0 (digitalSignature) / 1 (nonRepudiation) vs 2 (keyEncipherment) decide sign vs km. */
  role: CertRole
}

const OID_RSA = Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01])
const OID_KEY_USAGE = Uint8Array.from([0x55, 0x1d, 0x0f])

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i])

/** A small DER walk over the TBSCertificate (Node's X509Certificate does not expose the raw subject). */
export function certificateFields(der: Uint8Array): CertificateFields {
  const cert = children(readSingle(der, TAG.SEQUENCE))
  const tbs = children(need(cert[0], TAG.SEQUENCE, 'tbsCertificate'))
  let i = tbs[0]?.tag === TAG.CONTEXT_0 ? 1 : 0
  const serialNumber = need(tbs[i++], TAG.INTEGER, 'serialNumber').bytes
  i++ // signature AlgorithmIdentifier
  const issuer = need(tbs[i++], TAG.SEQUENCE, 'issuer').bytes
  i++ // validity
  const subject = need(tbs[i++], TAG.SEQUENCE, 'subject').bytes
  const spki = children(need(tbs[i++], TAG.SEQUENCE, 'subjectPublicKeyInfo'))
  const alg = children(need(spki[0], TAG.SEQUENCE, 'algorithm'))
  if (!same(need(alg[0], TAG.OID, 'algorithm oid').value, OID_RSA)) throw new DerError('not an RSA certificate')
  const bits = need(spki[1], TAG.BIT_STRING, 'subjectPublicKey').value
  if (bits[0] !== 0) throw new DerError('public key bit string')
  const rsa = children(readSingle(bits.subarray(1), TAG.SEQUENCE))
  const modulus = stripLeadingZeros(need(rsa[0], TAG.INTEGER, 'modulus').value)
  const exponent = stripLeadingZeros(need(rsa[1], TAG.INTEGER, 'publicExponent').value)

  let role: CertRole = 'sign'
  const ext = tbs.slice(i).find((t) => t.tag === 0xa3)
  if (ext) {
    for (const e of children(readSingle(ext.value, TAG.SEQUENCE))) {
      const parts = children(e)
      if (!parts[0] || !same(parts[0].value, OID_KEY_USAGE)) continue
      const octets = parts[parts.length - 1]!
      const ku = readSingle(octets.value, TAG.BIT_STRING).value
      const first = ku[1] ?? 0
      // keyEncipherment without digitalSignature / nonRepudiation: the km certificate of an NPKI pair.
      if ((first & 0x20) !== 0 && (first & 0xc0) === 0) role = 'km'
    }
  }
  return { subject, issuer, serialNumber, modulus, exponent, role }
}

function need(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new DerError(`certificate: ${what} missing or malformed`)
  return t
}
