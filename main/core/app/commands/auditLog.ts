/** 기록: what Dojang did, newest first, with the holder's name (never a secret). */
import type { AuditEntry } from '../../inventory'
import type { Core } from '../core'

export interface AuditLine extends AuditEntry {
  /** The holder's name, also for certificates no longer on any medium (the inventory keeps their record). */
  name: string | null
}

export async function auditLog(core: Core, input: { limit?: number } = {}): Promise<AuditLine[]> {
  return core.inventory.auditLog({ limit: input.limit ?? 200 }).map((e) => ({
    ...e,
    name: e.certificate ? (core.inventory.getCertificate(e.certificate.issuer, e.certificate.serial)?.displayName ?? null) : null,
  }))
}
