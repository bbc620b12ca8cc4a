/** 삭제: moves one copy to Dojang's trash (restorable), whatever medium it is on. */
import { DojangError } from '../../../../common/errors'
import { moveToTrash, type TrashEntry } from '../../ops/trash'
import type { Core } from '../core'
import { lookupCopy } from '../lookup'

export async function deleteCopy(core: Core, input: { location: string }): Promise<TrashEntry> {
  const target = await lookupCopy(core, input.location)
  const entry = await core.audited({ action: 'delete', certificate: target.certificate, locations: [target.location] }, async () => {
    if (!target.store.capabilities.remove) throw new DojangError('INVALID_INPUT', 'Copies cannot be removed from this medium.', { medium: target.store.medium })
    if (!target.store.capabilities.readKeys) {
      throw new DojangError(
        'INVALID_INPUT',
        "A certificate on a security token cannot go to Dojang's trash: its private key can only be deleted for good. Confirm a permanent delete (CLI: --permanent) to remove it from the token.",
        { reason: 'token-delete-permanent' },
      )
    }
    return moveToTrash(core.dataDir, target.store, target.location, { now: core.now() })
  })
  core.inventory.removeCopy(target.location)
  core.inventoryChanged()
  return entry
}
