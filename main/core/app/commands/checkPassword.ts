/** 암호 확인: opens the copy's keys with the password, changes nothing. */
import { checkCopyPassword, type PasswordCheckResult } from '../../ops/password'
import type { Core } from '../core'
import { lookupCopy, passwordAttempt } from '../lookup'

export interface CheckPasswordInput {
  location: string
  password: string
  /** When kmPri.key has its own password. */
  kmPassword?: string
}

export async function checkPassword(core: Core, input: CheckPasswordInput): Promise<PasswordCheckResult> {
  const target = await lookupCopy(core, input.location)
  return core.audited({ action: 'check-password', certificate: target.certificate, locations: [target.location] }, () =>
    passwordAttempt(core, target, () => checkCopyPassword(target.store, target.location, input.password, { kmPassword: input.kmPassword })),
  )
}
