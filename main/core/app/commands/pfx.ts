/**
 * 내보내기 / 가져오기: a copy from any medium whose keys can be read becomes a PFX file (bank or modern profile,
 * randomNum kept); a PFX becomes an NPKI pair on the chosen medium. Bundles stay in memory throughout.
 */
import { checkPasswordRules } from '../../../../common/passwordRules'
import { DojangError } from '../../../../common/errors'
import { readFileSafe } from '../../fsx'
import { requireReadableKeys } from '../../ops/password'
import { exportCopyToPfx, importPfxToStore, type ExportFolderResult, type ImportWarning } from '../../ops/pfxFile'
import { importPfxIntoToken, requirePin } from '../../ops/token'
import type { PfxProfile } from '../../npki/pfx'
import type { Core } from '../core'
import { lookupCopy, passwordAttempt } from '../lookup'
import { resolveDestination, type CopyInput } from './copyCertificate'

/** PFX files are a few KiB; the renderer's drop is capped at 1 MiB too. */
const MAX_PFX_BYTES = 1 << 20

export interface ExportPfxInput {
  location: string
  password: string
  pfxPassword: string
  profile: PfxProfile
  includeKm?: boolean
  kmPassword?: string
  /** The file to write (chosen in main's save dialog, or the CLI's --out). */
  out: string
  overwrite?: boolean
  /** Accept a PFX password that breaks the KISA rules (the CLI's --allow-weak). */
  allowWeak?: boolean
}

export async function exportPfx(core: Core, input: ExportPfxInput): Promise<ExportFolderResult> {
  const target = await lookupCopy(core, input.location)
  // A key on a token cannot be exported at all: say that before anything about the PFX password.
  requireReadableKeys(target.store)
  // A PFX password protects the same key as the certificate password, so it follows the same rules; checked before
  // anything is read or written.
  if (!input.allowWeak) {
    const failed = checkPasswordRules(input.pfxPassword).rules.filter((r) => !r.ok).map((r) => r.id)
    if (failed.length > 0) throw new DojangError('WEAK_PASSWORD', `The PFX password breaks the KISA password rules: ${failed.join(', ')}`, { failed: failed.join(','), field: 'pfxPassword' })
  }
  return core.audited({ action: 'export', certificate: target.certificate, locations: [target.location], detail: { profile: input.profile } }, () =>
    passwordAttempt(core, target, () =>
      exportCopyToPfx(target.store, target.location, input.password, input.pfxPassword, {
        profile: input.profile,
        includeKm: input.includeKm,
        kmPassword: input.kmPassword,
        out: input.out,
        overwrite: input.overwrite,
      }),
    ),
  )
}

export interface ImportPfxInput {
  /** The file's bytes (dropped on the window), or the path main's dialog or the CLI named. */
  pfx: Uint8Array | { path: string }
  pfxPassword: string
  newPassword: string
  to: CopyInput['to']
  allowWeak?: boolean
  overwrite?: boolean
  /** Only for a destination whose secret is a PIN (보안토큰): the token PIN. `newPassword` is then not used. */
  pin?: string
}

export async function importPfx(core: Core, input: ImportPfxInput): Promise<{ location: string; warnings: ImportWarning[]; note?: string }> {
  const pfx = input.pfx instanceof Uint8Array ? input.pfx : await readFileSafe(input.pfx.path, MAX_PFX_BYTES)
  const { store, note } = await resolveDestination(core, input.to)
  if (store.capabilities.secret === 'pin') requirePin(input.pin)
  const r = await core.audited({ action: 'import', locations: [], detail: { medium: store.medium } }, () =>
    store.capabilities.secret === 'pin'
      ? importPfxIntoToken(store, pfx, input.pfxPassword, input.pin, { overwrite: input.overwrite })
      : importPfxToStore(store, pfx, input.pfxPassword, input.newPassword, { dataDir: core.dataDir, allowWeak: input.allowWeak, overwrite: input.overwrite }),
  )
  await core.records.refresh(store, r.location)
  core.inventoryChanged()
  return { location: r.location, warnings: r.warnings, ...(note ? { note } : {}) }
}
