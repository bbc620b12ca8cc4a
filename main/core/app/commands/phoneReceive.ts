/** 휴대폰에서 가져오기: the phone uploads a .p12/.pfx or an NPKI folder ZIP; the person chooses where it goes. */
import { DojangError, isDojangError } from '../../../../common/errors'
import { changeBundlePasswordAsync, checkBundlePasswordAsync } from '../../npki/keyCrypto'
import { requireStrongPassword } from '../../npki/keyPassword'
import { checkBundle } from '../../stores/bundle'
import { certFoldersInZip, readZip, startReceive as openReceiveSession, type UploadFile } from '../../transfer'
import type { Core } from '../core'
import { transferSessions } from '../transferSessions'
import { resolveDestination, type CopyInput } from './copyCertificate'
import { importPfx } from './pfx'
import { auditQuietly, endpoint, outcomeOf, running, runSession, type StartedTransfer, type TransferEndpointInput } from './phoneSession'

/** 휴대폰에서 가져오기: a session the phone uploads a .p12/.pfx or an NPKI folder ZIP into. */
export async function startReceive(core: Core, input: TransferEndpointInput = {}): Promise<StartedTransfer> {
  const where = endpoint(core, input)
  const { limits } = transferSessions(core).settings
  return runSession(
    core,
    'receive',
    { ...input, ...where },
    (ctx) => openReceiveSession({ ...limits, ...where }, ctx),
    async (session, ctx, entry) => {
      const outcome = await session.result
      if (outcome.status !== 'received') {
        auditQuietly(core, { action: 'transfer-in', locations: [], outcome: outcomeOf(outcome.status), detail: { status: outcome.status } })
        return outcome.status
      }
      const file = outcome.file
      try {
        const certificates = file.kind === 'zip' ? zipFolders(file).length : 1
        entry.received = file
        ctx.progress?.({ step: 'file-arrived', detail: { name: file.name, kind: file.kind, certificates } })
        // The file waits in memory until the person chose where it goes and typed its password (importReceived),
        // or cancels.
        const summary = await new Promise<{ locations: string[] }>((resolve, reject) => {
          entry.imported = resolve
          const stop = () => reject(new DojangError('CANCELLED', 'Cancelled'))
          if (ctx.signal?.aborted) stop()
          ctx.signal?.addEventListener('abort', stop, { once: true })
        })
        ctx.progress?.({ step: 'imported', detail: { certificates: summary.locations.length } })
        return 'imported'
      } finally {
        file.data.fill(0)
        delete entry.received
      }
    },
  )
}

function zipFolders(file: UploadFile) {
  const folders = certFoldersInZip(readZip(file.data))
  if (folders.length === 0) throw new DojangError('CORRUPT_FILE', 'The ZIP file holds no certificate folder (signCert.der).', { name: file.name })
  return folders
}

export interface ImportReceivedInput {
  operationId: number
  to: CopyInput['to']
  /** The password of the file from the phone (the PFX password, or the certificates' password for a ZIP). */
  password: string
  /** The password the certificate gets on the chosen medium. */
  newPassword: string
  allowWeak?: boolean
  overwrite?: boolean
}

/**
 * Puts the file the phone uploaded onto the chosen medium: a .p12/.pfx through the PFX import; an NPKI ZIP folder
 * by folder, every folder's password checked before anything is written. A wrong password changes nothing and the
 * file stays waiting for another try.
 */
export async function importReceived(core: Core, input: ImportReceivedInput): Promise<{ locations: string[]; warnings: string[]; note?: string }> {
  const entry = running(core, input.operationId)
  const file = entry.kind === 'receive' ? entry.received : undefined
  if (!file) throw new DojangError('INVALID_INPUT', 'No file from the phone is waiting in this session.', { operationId: input.operationId })
  let result: { locations: string[]; warnings: string[]; note?: string }
  if (file.kind === 'pfx') {
    const r = await importPfx(core, { pfx: file.data, pfxPassword: input.password, newPassword: input.newPassword, to: input.to, allowWeak: input.allowWeak, overwrite: input.overwrite })
    result = { locations: [r.location], warnings: r.warnings, ...(r.note ? { note: r.note } : {}) }
  } else {
    result = await importZip(core, file, input)
  }
  for (const location of result.locations) auditQuietly(core, { action: 'transfer-in', locations: [location], outcome: 'ok', detail: { kind: file.kind } })
  entry.imported?.({ locations: result.locations })
  return result
}

async function importZip(core: Core, file: UploadFile, input: ImportReceivedInput): Promise<{ locations: string[]; warnings: string[]; note?: string }> {
  const folders = zipFolders(file)
  const { store, note } = await resolveDestination(core, input.to)
  if (!store.capabilities.write) throw new DojangError('INVALID_INPUT', 'Certificates cannot be written to this medium.', { medium: store.medium })
  const changing = input.newPassword !== input.password
  if (changing) requireStrongPassword(input.newPassword, input.allowWeak)
  // Every folder opens with the password (and is re-encrypted in memory) before the first write.
  const bundles = []
  for (const f of folders) {
    const label = f.folder.split('/').pop() || 'certificate'
    const bundle = { files: checkBundle({ files: f.files }) }
    if (changing) bundles.push({ files: (await changeBundlePasswordAsync(bundle, label, input.password, input.newPassword, { allowWeak: input.allowWeak })).files })
    else {
      await checkBundlePasswordAsync(bundle, label, input.password, {})
      bundles.push(bundle)
    }
  }
  const locations: string[] = []
  for (const bundle of bundles) {
    try {
      const ref = await store.write(bundle, { dataDir: core.dataDir, overwrite: input.overwrite })
      await core.records.refresh(store, ref.location)
      locations.push(ref.location)
    } catch (e) {
      // What was written stays (each folder is whole); say how far it got.
      if (locations.length > 0 && isDojangError(e)) core.inventoryChanged()
      throw e
    }
  }
  core.inventoryChanged()
  return { locations, warnings: [], ...(note ? { note } : {}) }
}
