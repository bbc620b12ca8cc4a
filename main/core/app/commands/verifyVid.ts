/** 본인확인: checks an ID number against the certificate with the key's randomNum, locally; the number is never kept. */
import { verifyCopyVid } from '../../ops/vid'
import type { Core } from '../core'
import { lookupCopy, passwordAttempt } from '../lookup'

export interface VerifyVidInput {
  location: string
  password: string
  /** 주민등록번호 or 사업자등록번호: used for this call only. */
  idn: string
}

export async function verifyVid(core: Core, input: VerifyVidInput): Promise<{ match: boolean }> {
  const target = await lookupCopy(core, input.location)
  return core.audited({ action: 'verify-vid', certificate: target.certificate, locations: [target.location] }, () =>
    passwordAttempt(core, target, () => verifyCopyVid(target.store, target.location, input.password, input.idn)),
  )
}
