/**
 * CA profiles (인증기관 설정) for issue, renew and revoke over CMP: kept in settings, no secrets in them. Adding
 * one is a CLI / 설정 matter; the page only lists them by name.
 */
import type { CaProfileView } from '../../../../common/contract'
import { DojangError } from '../../../../common/errors'
import { parseCaProfile, profileCaCertificate, profileEndpoint, type CaProfile, type CaProfileInput } from '../../issuance'
import type { Core } from '../core'

export type { CaProfileView }

export function caProfileView(p: CaProfile): CaProfileView {
  let caSubject = ''
  let caNotAfter = ''
  try {
    const ca = profileCaCertificate(p)
    caSubject = ca.subject.replace(/\n/g, ', ')
    caNotAfter = new Date(ca.validTo).toISOString()
  } catch {
    // a stored profile is validated; an unreadable CA certificate shows as empty rather than hiding the profile
  }
  return { name: p.name, transport: p.transport, endpoint: profileEndpoint(p), caSubject, caNotAfter }
}

export async function listCaProfiles(core: Core): Promise<CaProfileView[]> {
  return core.inventory.getSettings().caProfiles.map(caProfileView)
}

/** The profile a command names; NOT_FOUND says how to add one. */
export function caProfileNamed(core: Core, name: string): CaProfile {
  if (typeof name !== 'string' || name.trim() === '') throw new DojangError('INVALID_INPUT', 'Name the CA profile to use (dojang ca list shows them)', { field: 'ca' })
  const p = core.inventory.getSettings().caProfiles.find((x) => x.name === name.trim())
  if (!p) throw new DojangError('NOT_FOUND', `There is no CA profile named "${name.trim()}". Add one with: dojang ca add NAME --url … --ca-cert FILE`, { field: 'ca', hint: 'no-ca-profile' })
  return p
}

export async function addCaProfile(core: Core, input: { profile: CaProfileInput; replace?: boolean }): Promise<CaProfileView> {
  const profile = parseCaProfile(input.profile)
  const current = core.inventory.getSettings().caProfiles
  const exists = current.some((p) => p.name === profile.name)
  if (exists && !input.replace) throw new DojangError('CONFLICT', `A CA profile named "${profile.name}" exists already (remove it first)`, { field: 'name' })
  core.inventory.setSetting('caProfiles', [...current.filter((p) => p.name !== profile.name), profile])
  return caProfileView(profile)
}

export async function removeCaProfile(core: Core, input: { name: string }): Promise<{ removed: string }> {
  const profile = caProfileNamed(core, input.name)
  core.inventory.setSetting('caProfiles', core.inventory.getSettings().caProfiles.filter((p) => p.name !== profile.name))
  return { removed: profile.name }
}
