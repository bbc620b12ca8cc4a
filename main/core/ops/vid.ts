/**
 * The local 본인확인 (VID) check of one copy: the ID number and the key's randomNum must hash to the VID in the
 * certificate. The ID number is used for this call only and never stored.
 */
import { DojangError } from '../../../common/errors'
import { loadCertBundle } from '../npki/certBundle'
import { decryptPrivateKeyAsync } from '../npki/keyCrypto'
import { verifyVid } from '../npki/vid'
import type { Store } from '../stores/types'
import { requireReadableKeys } from './password'

export async function verifyCopyVid(store: Store, location: string, password: string, idn: string): Promise<{ match: boolean }> {
  requireReadableKeys(store)
  const loaded = loadCertBundle(await store.read(location), location)
  if (!loaded.signPri) throw new DojangError('MISSING_FILE', 'signPri.key is missing: the ID-number check needs the private key', { location })
  const { modulus, exponent } = loaded.signCert.publicKey
  const key = await decryptPrivateKeyAsync(loaded.signPri, password, { publicKey: modulus ? { modulus, exponent } : undefined, label: loaded.files.names.signPri })
  try {
    if (!key.info.randomNum) {
      throw new DojangError('NOT_FOUND', 'This private key has no randomNum, so the ID-number check cannot be made (the key was probably exported by a tool that drops it)', {
        location,
        reason: 'no-random-num',
      })
    }
    return { match: verifyVid(loaded.signCert, key.info.randomNum, idn) }
  } finally {
    key.pkcs8.fill(0)
  }
}
