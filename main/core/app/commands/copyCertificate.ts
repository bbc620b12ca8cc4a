/**
 * 복사 / 이동: puts a copy of a certificate on another medium (or moves it there), byte for byte; an existing copy
 * there is a CONFLICT unless `overwrite`, which keeps the replaced files as a backup. A move leaves the source in
 * Dojang's trash.
 */
import type { MediaTarget } from '../../../../common/domain'
import { copyCertificate as copyBetween, moveCertificate } from '../../ops/copy'
import type { CopyRef, Store } from '../../stores/types'
import type { Core } from '../core'
import { lookupCopy } from '../lookup'

export interface CopyInput {
  location: string
  /** A medium Dojang offered (the app), or a destination a person typed (the CLI's --to). */
  to: { target: MediaTarget } | { destination: string; create?: boolean }
  move?: boolean
  overwrite?: boolean
}

export interface CopyOutput {
  ref: CopyRef
  /** Something the person should know about where it went (the NPKI sub-folder that was used). */
  note?: string
}

export async function resolveDestination(core: Core, to: CopyInput['to']): Promise<{ store: Store; note?: string }> {
  if ('target' in to) return { store: await core.stores.target(to.target, { offeredOnly: core.frontEnd === 'app' }) }
  return core.stores.destination(to.destination, { create: to.create })
}

export async function copyCertificate(core: Core, input: CopyInput): Promise<CopyOutput> {
  const source = await lookupCopy(core, input.location)
  const { store: to, note } = await resolveDestination(core, input.to)
  const ref = await core.audited({ action: input.move ? 'move' : 'copy', certificate: source.certificate, locations: [source.location] }, async () => {
    const written = input.move
      ? (await moveCertificate(core.dataDir, source.store, source.location, to, { overwrite: input.overwrite })).copy
      : await copyBetween(core.dataDir, source.store, source.location, to, { overwrite: input.overwrite })
    if (input.move) core.inventory.removeCopy(source.location)
    await core.records.refresh(to, written.location)
    return written
  })
  core.inventoryChanged()
  return note ? { ref, note } : { ref }
}
