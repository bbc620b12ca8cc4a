/** 인증서 목록: the inventory's certificates with their copies (the last known state until a scan confirms it). */
import type { CertificateWithCopies, ListQuery } from '../../inventory'
import type { Core } from '../core'

export async function listCertificates(core: Core, query: Omit<ListQuery, 'now'> = {}): Promise<CertificateWithCopies[]> {
  return core.inventory.listCertificates({ now: core.now(), ...query })
}
