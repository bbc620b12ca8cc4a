/**
 * 복사 / 이동: puts a copy of a certificate on another medium (or moves it there), byte for byte; an existing copy
 * there is a CONFLICT unless `overwrite`, which keeps the replaced files as a backup. A move leaves the source in
 * Dojang's trash.
 */
import type { MediaTarget } from '../../../../common/domain'
import { DojangError } from '../../../../common/errors'
import { copyCertificate as copyBetween, moveCertificate } from '../../ops/copy'
import { copyIntoToken, requirePin } from '../../ops/token'
import type { CopyRef, Store } from '../../stores/types'
import type { Core } from '../core'
import { lookupCopy } from '../lookup'

export interface CopyInput {
  location: string
  /** A medium Dojang offered (the app), or a destination a person typed (the CLI's --to). */
  to: { target: MediaTarget } | { destination: string; create?: boolean }
  move?: boolean
  overwrite?: boolean
  /**
   * Only for a destination whose secret is a PIN (보안토큰): the token PIN, and the certificate's password that opens
   * its private key so the token can store it. Ignored for every other destination.
   */
  pin?: string
  password?: string
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

/** A copy into a token needs the PIN and the certificate password: asked for before anything is tried or audited. */
function requireTokenSecrets(input: CopyInput): void {
  requirePin(input.pin)
  if (typeof input.password !== 'string' || input.password === '') {
    throw new DojangError('INVALID_INPUT', 'Storing a certificate on a security token needs the certificate password too, to open its private key.', { reason: 'password-required' })
  }
}

export async function copyCertificate(core: Core, input: CopyInput): Promise<CopyOutput> {
  const source = await lookupCopy(core, input.location)
  const { store: to, note } = await resolveDestination(core, input.to)
  if (to.capabilities.secret === 'pin' && !input.move) requireTokenSecrets(input)
  const ref = await core.audited({ action: input.move ? 'move' : 'copy', certificate: source.certificate, locations: [source.location] }, async () => {
    if (to.capabilities.secret === 'pin') {
      // The original is the only copy whose key can still be copied elsewhere: a move would leave the key only on the token.
      if (input.move) throw new DojangError('INVALID_INPUT', 'A certificate cannot be moved onto a security token, only copied: its key could never be copied elsewhere again. Copy it, then delete the original if you are sure.', { reason: 'token-move' })
      const written = await copyIntoToken(core.dataDir, source.store, source.location, to, { pin: input.pin, password: input.password }, { overwrite: input.overwrite })
      await core.records.refresh(to, written.location)
      return written
    }
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
