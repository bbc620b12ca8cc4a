/**
 * VID (virtual ID) check, npki-format.md §9: VID = H(H(DER(HashContent))) with
 * HashContent ::= SEQUENCE { idn PrintableString, randomNum BIT STRING }.
 *
 * The ID number is personal data: it is used for one computation and never stored, logged or put into an error.
 * Intermediate buffers that contain it are zeroed after use (JS strings cannot be, so callers should drop theirs).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { DojangError } from '../../../common/errors'
import type { CertificateInfo } from './certificate'

const HASHES: Readonly<Record<string, string>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '1.3.14.3.2.26': 'sha1',
}

/**
 * Removes '-' and whitespace and checks for a 13-digit resident registration number (주민등록번호) or a 10-digit
 * business registration number (사업자등록번호). No checksum test: foreigners' and old numbers do not all pass
 * it, and the VID comparison is the real check.
 */
export function normalizeIdn(input: string): string {
  if (typeof input !== 'string') throw new DojangError('INVALID_INPUT', 'The ID number must be text')
  const digits = input.replace(/[-\s]/g, '')
  if (!/^[0-9]+$/.test(digits) || (digits.length !== 13 && digits.length !== 10)) {
    // Deliberately no details: even a length or a prefix of an ID number is personal data.
    throw new DojangError(
      'INVALID_INPUT',
      'Enter a 13-digit resident registration number or a 10-digit business registration number',
    )
  }
  return digits
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n]
  const out: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff)
  return [0x80 | out.length, ...out]
}

function tlv(tag: number, body: Uint8Array): Uint8Array {
  const head = [tag, ...derLength(body.length)]
  const out = new Uint8Array(head.length + body.length)
  out.set(head, 0)
  out.set(body, head.length)
  return out
}

/** DER of HashContent { PrintableString idn, BIT STRING (0 unused bits) randomNum }. */
export function hashContentDer(idn: string, randomNum: Uint8Array): Uint8Array {
  const digits = normalizeIdn(idn)
  if (!(randomNum instanceof Uint8Array) || randomNum.length === 0) {
    throw new DojangError('INVALID_INPUT', 'randomNum is empty; the private key has no randomNum attribute')
  }
  const idnField = tlv(0x13, new Uint8Array(Buffer.from(digits, 'latin1')))
  const bitsBody = new Uint8Array(randomNum.length + 1)
  bitsBody.set(randomNum, 1) // first byte 00 = no unused bits
  const bits = tlv(0x03, bitsBody)
  const body = new Uint8Array(idnField.length + bits.length)
  body.set(idnField, 0)
  body.set(bits, idnField.length)
  const out = tlv(0x30, body)
  idnField.fill(0)
  bitsBody.fill(0)
  bits.fill(0)
  body.fill(0)
  return out
}

/** VID = H(H(hc)) with the certificate's hash (SHA-256 today; SHA-1 for possible old certificates). */
export function computeVid(idn: string, randomNum: Uint8Array, hashAlgOid: string): Uint8Array {
  const alg = HASHES[hashAlgOid]
  if (!alg) {
    throw new DojangError('UNSUPPORTED_ALGORITHM', `The VID uses an unsupported hash algorithm (${hashAlgOid})`, {
      oid: hashAlgOid,
    })
  }
  const hc = hashContentDer(idn, randomNum)
  const inner = createHash(alg).update(hc).digest()
  hc.fill(0)
  const vid = new Uint8Array(createHash(alg).update(inner).digest())
  inner.fill(0)
  return vid
}

/**
 * True when `idn` together with the key's randomNum reproduces the certificate's VID. Throws INVALID_INPUT for a
 * certificate without a VID (km certificates, many organization certificates) so the UI can say so instead of
 * reporting a mismatch.
 */
export function verifyVid(cert: CertificateInfo, randomNum: Uint8Array, idn: string): boolean {
  if (!cert.vid) {
    throw new DojangError(
      'INVALID_INPUT',
      'This certificate has no VID (virtual ID), so it cannot be checked against an ID number. ' +
        'Use the signing certificate (signCert.der); key-management and some organization certificates carry none.',
    )
  }
  const expected = cert.vid.value
  const actual = computeVid(idn, randomNum, cert.vid.hashAlgOid)
  // timingSafeEqual needs equal lengths; a length difference reveals nothing about the ID number.
  const ok = actual.length === expected.length && timingSafeEqual(actual, expected)
  actual.fill(0)
  return ok
}
