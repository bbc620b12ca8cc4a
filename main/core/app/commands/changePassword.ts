/**
 * 암호 변경: one or several copies of a certificate get a new password, each all or nothing through its store
 * (old key files kept as a backup). Run as an operation: a change of many copies reports progress per copy.
 * A copy with another password is reported in `failed`; a weak new password or an unexpected fault stops everything.
 */
import { DojangError, isDojangError, type ErrorCode } from '../../../../common/errors'
import { changeCopyPassword } from '../../ops/password'
import type { Core } from '../core'
import { lookupCopy, passwordAttempt } from '../lookup'

export interface ChangePasswordInput {
  locations: string[]
  oldPassword: string
  newPassword: string
  allowWeak?: boolean
  /** When kmPri.key has its own password (both keys get the new one). */
  kmPassword?: string
}

export interface ChangePasswordOutput {
  /** `location` is where the copy is now; `backupId` names the backup with the old key files. */
  changed: { location: string; backupId: string; files: string[] }[]
  failed: { location: string; error: DojangError }[]
}

export async function changePassword(core: Core, input: ChangePasswordInput): Promise<ChangePasswordOutput> {
  return core.operations.run('change-password', async (ctx) => {
    const out: ChangePasswordOutput = { changed: [], failed: [] }
    const total = input.locations.length
    for (const location of input.locations) {
      ctx.progress?.({ step: 'copy', done: out.changed.length + out.failed.length, total })
      try {
        const target = await lookupCopy(core, location)
        const r = await core.audited({ action: 'change-password', certificate: target.certificate, locations: [target.location] }, () =>
          passwordAttempt(core, target, () =>
            changeCopyPassword(target.store, target.location, input.oldPassword, input.newPassword, { dataDir: core.dataDir, allowWeak: input.allowWeak, kmPassword: input.kmPassword }),
          ),
        )
        out.changed.push({ location: r.location, backupId: r.backupId, files: r.changed })
      } catch (e) {
        const stopAll = !isDojangError(e) || e.code === 'WEAK_PASSWORD' || (e.code === 'INVALID_INPUT' && e.details.reason === 'unchanged-password')
        if (stopAll || (total === 1 && out.changed.length === 0)) {
          if (out.changed.length > 0) core.inventoryChanged()
          throw e
        }
        out.failed.push({ location, error: e })
      }
    }
    ctx.progress?.({ step: 'copy', done: total, total })
    if (out.changed.length > 0) {
      for (const c of out.changed) {
        const target = await lookupCopy(core, c.location).catch(() => undefined)
        if (target) await core.records.refresh(target.store, c.location)
      }
      core.inventoryChanged()
    }
    const first = out.failed[0]
    if (out.changed.length === 0 && first) throw new DojangError(first.error.code as ErrorCode, first.error.message, { ...first.error.details })
    return out
  })
}
