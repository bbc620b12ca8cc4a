/**
 * The handler table of the IPC contract over Dojang's services. Electron-free: the app registers it through
 * main/ipc.ts, and the Chromium tests run the very same table in Node. Anything that needs a person (a file
 * dialog, a notification) goes through `UiPorts`.
 */
import { certificateId, parseCertificateId } from '../common/certificateId'
import type { AuditEntryView, CertificateDetail, CertificateView, CopyView, DojangEvent, ErrorView, FindingView, MediumInfo, TrashEntryView } from '../common/contract'
import { DojangError, isDojangError } from '../common/errors'
import { AttemptLimiter } from './core/app/attempts'
import { OperationRunner } from './core/app/operations'
import { expiryCalendar } from './core/app/calendar'
import type { Services } from './core/app/services'
import { readFileSafe, writeFileAtomic } from './core/fsx'
import type { CertificateWithCopies, CopyRecord } from './core/inventory/types'
import { splitCommonName } from './core/npki/certificate'
import { lookupPolicy } from './core/npki/policies'
import { decryptPrivateKey } from './core/npki/privateKey'
import { normalizeSerial } from './core/inventory/validate'
import { verifyVid } from './core/npki/vid'
import { findingView } from './core/scan/findingView'
import type { Handlers } from './ipc'

export interface UiPorts {
  /** A save dialog; null when the person cancels. */
  chooseSavePath(opts: { title: string; defaultName: string; extensions: string[] }): Promise<string | null>
  /** An open dialog; null when the person cancels. */
  chooseOpenPath(opts: { title: string; extensions: string[] }): Promise<string | null>
}

function copyView(c: CopyRecord): CopyView {
  return { medium: c.medium, location: c.location, root: c.root, files: { ...c.files }, keyScheme: c.keyScheme, missing: c.missingSince !== null }
}

export function certificateView(c: CertificateWithCopies): CertificateView {
  return {
    id: certificateId(c.issuer, c.serial),
    name: c.displayName,
    subject: c.subject,
    issuer: c.issuer,
    ca: c.ca,
    serial: c.serial,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    policyOid: c.policyOid,
    purpose: c.purpose,
    purposeEn: c.policyOid ? (lookupPolicy(c.policyOid)?.purposeEn ?? null) : null,
    copies: c.copies.map(copyView),
  }
}

function errorView(e: unknown): ErrorView {
  if (isDojangError(e)) return { code: e.code, message: e.message, details: { ...e.details } }
  return { code: 'INTERNAL', message: 'Something went wrong inside Dojang', details: {} }
}

function presentCopy(c: CertificateWithCopies, location?: string): CopyRecord {
  const copy = location ? c.copies.find((x) => x.location === location) : c.copies.find((x) => x.missingSince === null)
  if (!copy) throw new DojangError('NOT_FOUND', 'No copy of this certificate is present any more; scan again')
  return copy
}

export function createHandlers(services: Services, ports: UiPorts, emit: (event: DojangEvent) => void, limiter = new AttemptLimiter()): Handlers {
  const operations = new OperationRunner((operation) => emit({ type: 'operation', operation }))
  const wrongPassword = (e: unknown) => isDojangError(e, 'WRONG_PASSWORD')
  const guarded = <T>(location: string, run: () => Promise<T>) => limiter.attempt(location, run, wrongPassword)
  const changed = () => emit({ type: 'inventoryChanged' })

  const checkVid = async (location: string, password: string, idn: string) => {
    const { loaded } = await services.readCertificate(location)
    if (!loaded.signPri) throw new DojangError('MISSING_FILE', 'signPri.key is missing: the ID-number check needs the private key')
    const { modulus, exponent } = loaded.signCert.publicKey
    const key = decryptPrivateKey(loaded.signPri, password, { publicKey: modulus ? { modulus, exponent } : undefined, label: loaded.files.names.signPri })
    if (!key.info.randomNum) throw new DojangError('NOT_FOUND', 'This key has no randomNum, so the ID-number check cannot be made')
    return { match: verifyVid(loaded.signCert, key.info.randomNum, idn) }
  }

  /**
   * The page may only name copies Dojang itself listed, and destinations among the media it offers: a page that
   * was tricked (or broken) cannot point main at other folders.
   */
  const knownCopy = (location: string): string => {
    const known = services.listCertificates().some((c) => c.copies.some((x) => x.location === location && x.missingSince === null))
    if (!known) throw new DojangError('NOT_FOUND', 'This copy is not in the list any more; scan again', { location })
    return location
  }
  const knownTarget = async (to: { medium: MediumInfo['medium']; root?: string }) => {
    if (to.root === undefined) return to
    const media = await listMedia()
    if (!media.some((m) => m.medium === to.medium && m.root === to.root)) {
      throw new DojangError('NOT_FOUND', 'This drive or folder is not available any more; choose another one', { root: to.root })
    }
    return to
  }

  const byId = (id: string): CertificateWithCopies => {
    const key = parseCertificateId(id)
    if (!key) throw new DojangError('INVALID_INPUT', 'Unknown certificate id')
    return services.getCertificate(key.issuer, key.serial)
  }

  const listMedia = async (): Promise<MediumInfo[]> => {
    const media: MediumInfo[] = []
    for (const s of await services.diskStores()) media.push({ medium: 'disk', root: s.root, label: s.label, available: true })
    for (const s of await services.removableStores()) media.push({ medium: 'removable', root: s.root, label: s.label, available: true })
    if (services.keychain) media.push({ medium: 'keychain', root: 'keychain', label: '키체인', available: true })
    return media
  }

  return {
    async listCertificates(req) {
      return services.listCertificates(req).map(certificateView)
    },

    async getCertificate({ id }) {
      const c = byId(id)
      const { loaded } = await services.readCertificate(presentCopy(c).location)
      const cert = loaded.signCert
      const latest = services.inventory.latestFindings()
      const findings: FindingView[] = (latest?.findings ?? [])
        .filter((f) => f.certificate && f.certificate.issuer === c.issuer && f.certificate.serial === c.serial)
        .map((f) => findingView(f, id))
      const detail: CertificateDetail = {
        ...certificateView(c),
        caNameKo: cert.ca.nameKo,
        purposeEn: cert.policy.purposeEn,
        ownerType: cert.policy.ownerType,
        keyUsage: cert.keyUsage,
        hasVid: cert.vid !== undefined,
        fingerprintSha256: cert.sha256FingerprintHex,
        findings,
      }
      return detail
    },

    listMedia,

    async startScan({ deep }) {
      const op = operations.start(
        'scan',
        async (ctx) => {
          const outcome = await services.scan({
            deep,
            signal: ctx.signal,
            onProgress: (p) =>
              ctx.progress?.({ step: 'walk', detail: { foldersVisited: p.foldersVisited, certificatesFound: p.certificatesFound, problems: p.problems } }),
          })
          const s = outcome.result.stats
          ctx.progress?.({ step: 'walk', detail: { foldersVisited: s.foldersVisited, certificatesFound: s.certificatesFound, problems: s.problems } })
          changed()
          return outcome
        },
        { replace: true },
      )
      return { operationId: op.id }
    },

    async cancelOperation({ operationId }) {
      return { cancelled: operations.cancel(operationId) }
    },

    async checkPassword({ location, password }) {
      const r = await guarded(location, () => services.checkPassword(knownCopy(location), password))
      return { ok: true, hasKmPair: r.km !== undefined, hasRandomNum: r.sign.hasRandomNum }
    },

    async changePassword({ locations, oldPassword, newPassword, allowWeak }) {
      return operations.run('change-password', async (ctx) => {
      const done: { location: string; backupId: string }[] = []
      const failed: { location: string; error: ErrorView }[] = []
      for (const location of locations) {
        ctx.progress?.({ step: 'copy', done: done.length + failed.length, total: locations.length })
        try {
          const r = await guarded(location, () => services.changePassword(knownCopy(location), oldPassword, newPassword, { allowWeak }))
          done.push({ location: r.location, backupId: r.backupId })
        } catch (e) {
          // A weak password or an unexpected fault stops everything; a copy with another password does not.
          if (!isDojangError(e) || e.code === 'WEAK_PASSWORD' || (locations.length === 1 && done.length === 0)) throw e
          failed.push({ location, error: errorView(e) })
        }
      }
      if (done.length > 0) changed()
      if (done.length === 0 && failed[0]) throw new DojangError(failed[0].error.code, failed[0].error.message, failed[0].error.details)
      ctx.progress?.({ step: 'copy', done: locations.length, total: locations.length })
      return { changed: done, failed }
      })
    },

    async verifyVid({ location, password, idn }) {
      return guarded(location, () => checkVid(knownCopy(location), password, idn))
    },

    async deleteCopy({ location }) {
      const entry = await services.deleteCopy(knownCopy(location))
      changed()
      return { trashId: entry.id }
    },

    async listTrash() {
      const entries = await services.listTrash()
      return entries.map(
        (e): TrashEntryView => ({
          id: e.id,
          name: splitCommonName(e.subject?.match(/CN=([^,]+)/)?.[1] ?? e.label).displayName,
          issuer: e.issuer ?? '',
          serial: e.serial ? normalizeSerial(e.serial) : '',
          medium: e.medium,
          location: e.location,
          deletedAt: e.deletedAt,
        }),
      )
    },

    async emptyTrash({ olderThanDays }) {
      const removed = await services.emptyTrash({ olderThanDays })
      return { removed }
    },

    async restoreFromTrash({ id, overwrite }) {
      const ref = await services.restoreFromTrash(id, { overwrite })
      changed()
      return { location: ref.location }
    },

    async copyCertificate({ location, to, move, overwrite }) {
      const ref = await services.copy(knownCopy(location), await knownTarget(to), { move, overwrite })
      changed()
      return { location: ref.location }
    },

    async exportPfx({ location, password, pfxPassword, profile, includeKm }) {
      if (location.startsWith('keychain:')) throw new DojangError('INVALID_INPUT', 'Copy the certificate to a disk first, then export it')
      knownCopy(location)
      const c = services.listCertificates().find((x) => x.copies.some((y) => y.location === location))
      const out = await ports.chooseSavePath({ title: 'PFX', defaultName: `${c?.displayName ?? 'certificate'}.pfx`, extensions: ['pfx', 'p12'] })
      if (!out) return null
      // The save dialog already asked about replacing an existing file.
      await guarded(location, () => services.exportPfx(location, password, pfxPassword, { profile, includeKm, out, overwrite: true }))
      return { path: out }
    },

    async importPfx({ bytes, pfxPassword, newPassword, to, allowWeak, overwrite }) {
      let pfx: Uint8Array | undefined = bytes
      if (!pfx) {
        const chosen = await ports.chooseOpenPath({ title: 'PFX', extensions: ['pfx', 'p12'] })
        if (!chosen) throw new DojangError('CANCELLED', 'No file was chosen')
        pfx = await readFileSafe(chosen)
      }
      const result = await services.importPfx(pfx, pfxPassword, newPassword, await knownTarget(to), { allowWeak, overwrite })
      changed()
      return result
    },

    async getSettings() {
      return services.inventory.getSettings()
    },

    async setSettings(req) {
      for (const [key, value] of Object.entries(req)) {
        if (value !== undefined) services.inventory.setSetting(key as keyof typeof req, value as never)
      }
      return services.inventory.getSettings()
    },

    async auditLog({ limit }) {
      return services.inventory.auditLog({ limit: limit ?? 200 }).map(
        (e): AuditEntryView => ({
          id: e.id,
          at: e.at,
          action: e.action,
          certificateId: e.certificate ? certificateId(e.certificate.issuer, e.certificate.serial) : null,
          name: e.certificate ? (services.inventory.getCertificate(e.certificate.issuer, e.certificate.serial)?.displayName ?? null) : null,
          locations: e.locations,
          outcome: e.outcome,
        }),
      )
    },

    async listBackups() {
      return (await services.listBackups()).map((b) => ({ id: b.backupId, createdAt: b.createdAt, reason: b.reason, files: b.files.length, intact: b.intact }))
    },

    async emptyBackups({ olderThanDays }) {
      return { removed: await services.emptyBackups({ olderThanDays }) }
    },

    async exportCalendar() {
      const out = await ports.chooseSavePath({ title: 'Calendar', defaultName: 'dojang-expiry.ics', extensions: ['ics'] })
      if (!out) return null
      const settings = services.inventory.getSettings()
      await writeFileAtomic(out, new TextEncoder().encode(expiryCalendar(services.listCertificates(), settings.notifyDays, new Date())))
      return { path: out }
    },
  }
}
