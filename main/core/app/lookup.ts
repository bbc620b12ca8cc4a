/**
 * The one lookup of a copy per command: which store holds it, and which certificate it is (for the audit log).
 * In the app the page may only name copies Dojang itself listed; the CLI may name any certificate folder.
 */
import { DojangError, isDojangError } from '../../../common/errors'
import type { CertificateKey, CopyRecord } from '../inventory'
import { parseCertificate } from '../npki/certificate'
import { signCertOf } from '../stores/bundle'
import type { Store } from '../stores/types'
import type { Core } from './core'

export interface CopyTarget {
  store: Store
  location: string
  /** The certificate this copy holds, when known (audit entries name it). */
  certificate: CertificateKey | null
  record: CopyRecord | undefined
}

export function findCopyRecord(core: Core, location: string): CopyRecord | undefined {
  for (const c of core.inventory.listCertificates({})) {
    const copy = c.copies.find((x) => x.location === location)
    if (copy) return copy
  }
  return undefined
}

export async function lookupCopy(core: Core, rawLocation: string): Promise<CopyTarget> {
  const location = core.frontEnd === 'cli' ? await core.stores.parseLocation(rawLocation) : rawLocation
  const record = findCopyRecord(core, location)
  if (core.frontEnd === 'app' && (!record || record.missingSince !== null)) {
    throw new DojangError('NOT_FOUND', 'This copy is not in the list any more; scan again', { location })
  }
  const store = await core.stores.storeOf(location, { recorded: record, handNamed: core.frontEnd === 'cli' })
  let certificate: CertificateKey | null = record ? { issuer: record.issuer, serial: record.serial } : null
  if (!certificate) {
    try {
      const cert = parseCertificate(signCertOf((await store.read(location)).files).data)
      certificate = { issuer: cert.issuer, serial: cert.serialNumberHex }
    } catch {
      certificate = null // the command itself reports what is wrong with the copy
    }
  }
  return { store, location, certificate, record }
}

/** One password attempt on a copy; in the app, repeated wrong passwords on the same copy are slowed down. */
export function passwordAttempt<T>(core: Core, target: Pick<CopyTarget, 'location'>, run: () => Promise<T>): Promise<T> {
  if (!core.attempts) return run()
  return core.attempts.attempt(target.location, run, (e) => isDojangError(e, 'WRONG_PASSWORD'))
}
