/**
 * Whatever holds the private key a CMP message is signed with: the proof of possession of a new key, and the
 * signature protection of a renewal (the current key). A software key is a node KeyObject in this process; a key
 * generated on a security token stays there, and only its signatures come out (the token implementation lives
 * with the token operations, main/core/ops/token.ts). Signing is async so a token worker can do it.
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import { sign, type SignatureHash } from './protection'

export interface KeyHolder {
  /** DER SubjectPublicKeyInfo of the key (what goes into the certificate template). */
  spki(): Uint8Array
  /** PKCS#1 v1.5 signature over `data` with sha256WithRSA or sha1WithRSA. */
  sign(hash: SignatureHash, data: Uint8Array): Promise<Uint8Array>
}

/** A key in this process (node:crypto), as every software copy has it. */
export function softwareKey(privateKey: KeyObject): KeyHolder {
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }))
  return {
    spki: () => spki,
    sign: async (hash, data) => sign(privateKey, hash, data),
  }
}
