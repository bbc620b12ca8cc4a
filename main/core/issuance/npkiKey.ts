/**
 * The key file of a newly issued certificate: Node's PKCS#8 of the new RSA key plus the NPKI randomNum attribute
 * (1.2.410.200004.10.1.1.3, 20 random bytes, the R of the VID), encrypted by the existing NPKI encrypter
 * (1.2.410.200004.1.15: PBKDF1-SHA1 + SEED-CBC, 2048 iterations, fresh salt). No second SEED or KDF here.
 */
import { randomBytes, type KeyObject } from 'node:crypto'
import { DojangError } from '../../../common/errors'
import { checkPasswordRules } from '../../../common/passwordRules'
import { encryptPrivateKey, type KeyScheme } from '../npki/privateKey'
import { OID_NPKI_RANDOM_NUM, parsePrivateKeyInfo } from '../npki/pkcs8'
import type { CertBundle } from '../stores/types'
import { bitString, encodeOid, encodeTlv, readWhole, seq, seqChildren, T } from './asn1'

/** The scheme every NPKI client writes for a new key (npki-format.md §5). */
export const NEW_KEY_SCHEME: KeyScheme = { kind: 'npki-pbkdf1-seed', salt: new Uint8Array(8), iterations: 2048 }

/** PKCS#8 PrivateKeyInfo of `key` with a randomNum attribute (given, e.g. kept from the old key, or fresh). */
export function pkcs8WithRandomNum(key: KeyObject, randomNum: Uint8Array = new Uint8Array(randomBytes(20))): Uint8Array {
  const plain = new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }))
  const [version, alg, octets] = seqChildren(readWhole(plain, 'PrivateKeyInfo'), 'PrivateKeyInfo')
  const attribute = seq(encodeOid(OID_NPKI_RANDOM_NUM), encodeTlv(T.SET, bitString(randomNum)))
  const out = seq(version!.bytes, alg!.bytes, octets!.bytes, encodeTlv(0xa0, attribute))
  plain.fill(0)
  return out
}

/** The randomNum of decrypted PKCS#8 bytes, if it has one. */
export function randomNumOf(pkcs8: Uint8Array): Uint8Array | undefined {
  return parsePrivateKeyInfo(pkcs8).randomNum
}

/** WEAK_PASSWORD unless the KISA rules hold for a password the user is choosing now. */
export function requireStrongPassword(password: string): void {
  if (typeof password !== 'string') throw new DojangError('INVALID_INPUT', 'The new password must be text')
  const rules = checkPasswordRules(password)
  if (!rules.ok) {
    const failed = rules.rules.filter((r) => !r.ok).map((r) => r.id)
    throw new DojangError('WEAK_PASSWORD', `The new password breaks the KISA password rules: ${failed.join(', ')}`, { failed: failed.join(',') })
  }
}

/** The certificate folder in memory: signCert.der and the encrypted signPri.key. Zeroes `pkcs8` afterwards. */
export function npkiBundle(certDer: Uint8Array, pkcs8: Uint8Array, password: string, scheme: KeyScheme = NEW_KEY_SCHEME): CertBundle {
  try {
    const key = encryptPrivateKey(pkcs8, password, scheme)
    return { files: [{ name: 'signCert.der', data: certDer }, { name: 'signPri.key', data: key }] }
  } finally {
    pkcs8.fill(0)
  }
}
