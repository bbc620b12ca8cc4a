/** 휴지통: what was deleted, putting it back, and emptying it for good. */
import { DAY_MS } from '../../../../common/domain'
import { DojangError } from '../../../../common/errors'
import { emptyTrash as emptyTrashFolder, listTrash as listTrashFolder, restoreFromTrash as restoreFromTrashFolder, type TrashEntry } from '../../ops/trash'
import type { CopyRef } from '../../stores/types'
import type { Core } from '../core'

export function listTrash(core: Core): Promise<TrashEntry[]> {
  return listTrashFolder(core.dataDir)
}

export async function restoreFromTrash(core: Core, input: { id: string; overwrite?: boolean }): Promise<CopyRef> {
  const entry = (await listTrashFolder(core.dataDir)).find((e) => e.id === input.id)
  if (!entry) throw new DojangError('NOT_FOUND', `There is no item ${input.id} in Dojang's trash (see the list of what is there).`, { id: input.id })
  const certificate = entry.issuer && entry.serial ? { issuer: entry.issuer, serial: entry.serial } : null
  const ref = await core.audited({ action: 'restore', certificate, locations: [entry.location] }, async () => {
    const store = await core.stores.storeById(entry.medium, entry.storeId, entry.label)
    const restored = await restoreFromTrashFolder(core.dataDir, input.id, store, { overwrite: input.overwrite })
    await core.records.refresh(store, restored.location)
    return restored
  })
  core.inventoryChanged()
  return ref
}

export async function emptyTrash(core: Core, input: { olderThanDays?: number } = {}): Promise<number> {
  const olderThan = input.olderThanDays === undefined ? undefined : new Date(core.now().getTime() - input.olderThanDays * DAY_MS)
  return core.audited({ action: 'wipe', locations: [], detail: { what: 'trash', olderThanDays: input.olderThanDays ?? 0 } }, () =>
    emptyTrashFolder(core.dataDir, olderThan ? { olderThan } : {}),
  )
}
