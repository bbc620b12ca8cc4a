/**
 * 보안토큰 commands: list the tokens and their certificates, delete a certificate from a token for good, change a
 * token's PIN. PINs arrive once per call and go nowhere else (not the audit log, not an error's details).
 */
import type { TokenModuleEntry } from '../../../../common/contract'
import type { MediaTarget } from '../../../../common/domain'
import { DojangError } from '../../../../common/errors'
import { changeTokenPin as changePinOn, deleteFromToken, tokenContents } from '../../ops/token'
import type { PinState } from '../../stores/token/protocol'
import type { Core } from '../core'
import { lookupCopy } from '../lookup'

/** What `listTokens` answers: the contract's shape, so the page, the CLI and this command cannot drift apart. */
export type TokenModuleView = TokenModuleEntry
export type TokenView = TokenModuleEntry['tokens'][number]

export interface ListTokensInput {
  /** With the PIN, each certificate says whether its key is on the token (keys are private objects). */
  pin?: string
  /** Only this token (its id); default: every token. */
  token?: string
}

export async function listTokens(core: Core, input: ListTokensInput = {}): Promise<TokenModuleView[]> {
  core.stores.resetTokens()
  const modules = await core.stores.tokenModules()
  const out: TokenModuleView[] = []
  for (const m of modules) {
    const tokens: TokenView[] = []
    for (const t of m.tokens) {
      if (input.token !== undefined && t.store?.id !== input.token) continue
      const view: TokenView = {
        id: t.store?.id ?? '',
        label: t.info.label,
        serial: t.info.serial,
        slotId: t.info.slotId,
        slotDescription: t.info.slotDescription,
        manufacturer: t.info.manufacturer,
        model: t.info.model,
        initialized: t.info.initialized,
        pinState: t.info.pinState,
        writeProtected: t.info.writeProtected,
        certificates: [],
      }
      if (t.store) {
        try {
          const { copies, keysWithoutCertificate } = await tokenContents(t.store, input.pin)
          if (keysWithoutCertificate !== undefined) view.keysWithoutCertificate = keysWithoutCertificate
          view.certificates = copies.map((c) => ({
            location: c.location,
            objectLabel: c.objectLabel,
            idHex: c.idHex,
            hasKmPair: c.fileNames.length > 1,
            ...(c.hasKey !== undefined ? { hasKey: c.hasKey } : {}),
          }))
        } catch (e) {
          if (!(e instanceof DojangError)) throw e
          view.error = { code: e.code, message: e.message }
        }
      }
      tokens.push(view)
    }
    out.push({
      module: m.module,
      ...(m.info ? { manufacturer: m.info.manufacturer, description: m.info.description } : {}),
      tokens,
      ...(m.error ? { error: m.error } : {}),
    })
  }
  return out
}

export interface DeleteTokenCopyInput {
  location: string
  pin?: string
  /** The person confirmed that the certificate and its key are deleted for good (no trash for a token's key). */
  permanent?: boolean
}

export async function deleteTokenCopy(core: Core, input: DeleteTokenCopyInput): Promise<{ location: string; permanent: true }> {
  const target = await lookupCopy(core, input.location)
  await core.audited({ action: 'delete', certificate: target.certificate, locations: [target.location], detail: { permanent: true } }, async () => {
    if (input.permanent !== true) {
      throw new DojangError('INVALID_INPUT', "Deleting from a security token is permanent: the private key cannot be kept in Dojang's trash. Confirm the permanent delete to go on.", { reason: 'token-delete-unconfirmed' })
    }
    await deleteFromToken(core.dataDir, target.store, target.location, input.pin)
  })
  core.inventory.removeCopy(target.location)
  core.inventoryChanged()
  return { location: target.location, permanent: true }
}

export interface ChangeTokenPinInput {
  /** The token's id (TokenView.id / MediumInfo.root), or omitted when exactly one token is connected. */
  token?: string
  oldPin: string
  newPin: string
}

export async function changeTokenPin(core: Core, input: ChangeTokenPinInput): Promise<{ token: string; pinState: PinState }> {
  const target: MediaTarget = { medium: 'token', ...(input.token !== undefined ? { root: input.token } : {}) }
  const store = await core.stores.target(target, { offeredOnly: core.frontEnd === 'app' })
  const info = await core.audited({ action: 'change-pin', locations: [store.id] }, () => changePinOn(store, input.oldPin, input.newPin))
  core.stores.resetTokens()
  core.emit({ type: 'mediaChanged', media: await core.stores.media() })
  return { token: store.id, pinState: info.pinState }
}

/**
 * What a destination typed by a person (the CLI's --to) is and which secret writing there needs: 'pin' for a token
 * (the CLI then asks for the PIN), 'password' otherwise. Nothing is written.
 */
export async function describeDestination(core: Core, input: { destination: string; create?: boolean }): Promise<{ medium: string; id: string; label: string; secret: 'password' | 'pin' }> {
  const { store } = await core.stores.destination(input.destination, { create: input.create === true })
  return { medium: store.medium, id: store.id, label: store.label ?? store.id, secret: store.capabilities.secret }
}

/**
 * Which secret a command on this copy needs: 'pin' for a copy on a 보안토큰 (the CLI then asks for the PIN, e.g. to
 * renew it), 'password' otherwise. Nothing is read but the copy's certificate.
 */
export async function describeCopy(core: Core, input: { location: string }): Promise<{ medium: string; location: string; secret: 'password' | 'pin' }> {
  const { store, location } = await lookupCopy(core, input.location)
  return { medium: store.medium, location, secret: store.capabilities.secret }
}
