/** 휴대폰으로 복사, the PC → phone direction: what the phone gets (the formats), and the session that carries it. */
import { SHARE_FORMATS, type ShareFormat } from '../../../../common/contract'
import { DojangError, isDojangError } from '../../../../common/errors'
import type { CertificateKey } from '../../inventory'
import { pfxFromCopy } from '../../ops/pfxFile'
import { newTransferPassword, shareItemFromBundle, startShare as openShareSession, type ShareItem } from '../../transfer'
import type { Core } from '../core'
import { lookupCopy, passwordAttempt } from '../lookup'
import { transferSessions } from '../transferSessions'
import { auditQuietly, endpoint, outcomeOf, runSession, type StartedTransfer, type TransferEndpointInput } from './phoneSession'

/** 휴대폰으로 복사 carries at most this many certificates in one session (the payload format's cap). */
const MAX_SHARE = 64

export interface StartShareInput extends TransferEndpointInput {
  locations: string[]
  /**
   * What the phone gets (default 'npki'): the NPKI files as they are ('npki'); those plus a bank-compatible .p12
   * under the certificate's own password ('both'); or only a .p12 under a random transfer password shown on the PC
   * ('p12'). The two PFX forms need the certificate passwords.
   */
  format?: ShareFormat
  /** One certificate password per location, in order (for 'both' and 'p12'); used once to build the PFX. */
  passwords?: string[]
}

/** 휴대폰으로 복사: the listed copies, read through their stores, sealed into one session for the phone. */
export async function startShare(core: Core, input: StartShareInput): Promise<StartedTransfer> {
  if (!Array.isArray(input.locations) || input.locations.length === 0 || input.locations.length > MAX_SHARE) {
    throw new DojangError('INVALID_INPUT', `Choose 1 to ${MAX_SHARE} certificates to copy to the phone.`)
  }
  const format: ShareFormat = input.format ?? 'npki'
  if (!SHARE_FORMATS.includes(format)) throw new DojangError('INVALID_INPUT', `Unknown share format: choose ${SHARE_FORMATS.join(', ')}.`)
  const needsPasswords = format !== 'npki'
  if (needsPasswords && (!Array.isArray(input.passwords) || input.passwords.length !== input.locations.length || input.passwords.some((p) => typeof p !== 'string' || p === ''))) {
    throw new DojangError('INVALID_INPUT', 'A .p12 for the phone is built with each certificate password: give one password per certificate.', { field: 'passwords' })
  }
  const transferPassword = format === 'p12' ? newTransferPassword() : undefined
  const sources: { location: string; certificate: CertificateKey | null }[] = []
  const items: ShareItem[] = []
  try {
    for (const [i, raw] of input.locations.entries()) {
      const target = await lookupCopy(core, raw)
      if (!target.store.capabilities.readKeys) {
        throw new DojangError('KEY_NOT_EXPORTABLE', 'The private key on a security token never leaves it: it cannot be copied to a phone.', { medium: target.store.medium })
      }
      const bundle = await target.store.read(target.location)
      if (needsPasswords) {
        const password = input.passwords?.[i] as string
        // The PFX is sealed under the person's own password ('both') or the transfer password ('p12'); a wrong
        // password ends here, before any session listens. The detail says which certificate, never the password.
        const pfx = await passwordAttempt(core, target, () =>
          pfxFromCopy(target.store, target.location, password, transferPassword ?? password, { profile: 'bank' }).catch((e: unknown) => {
            if (isDojangError(e) && e.code === 'WRONG_PASSWORD') throw new DojangError('WRONG_PASSWORD', e.message, { ...e.details, index: i, location: target.location }, { cause: e })
            throw e
          }),
        )
        items.push(shareItemFromBundle(bundle, { pfx: { data: pfx.bytes, password: transferPassword ? 'transfer' : 'certificate' }, npkiFiles: format === 'both' }))
      } else {
        items.push(shareItemFromBundle(bundle))
      }
      sources.push({ location: target.location, certificate: target.certificate })
    }
  } catch (e) {
    for (const item of items) item.pfx?.data.fill(0)
    throw e
  }
  const where = endpoint(core, input)
  const { limits } = transferSessions(core).settings
  const started = await runSession(
    core,
    'share',
    { ...input, ...where },
    async (ctx) => {
      try {
        return await openShareSession({ ...limits, ...where, items }, ctx)
      } finally {
        // Sealed into the envelope (or failed): the PFX bytes are not needed any more.
        for (const item of items) item.pfx?.data.fill(0)
      }
    },
    async (session) => {
      const { status } = await session.result
      for (const s of sources) auditQuietly(core, { action: 'transfer-out', certificate: s.certificate, locations: [s.location], outcome: outcomeOf(status), detail: { status, certificates: sources.length, format } })
      return status
    },
  )
  return transferPassword ? { ...started, transferPassword } : started
}
