/** Public API of the CMP engine for the command layer (docs/cmp.md). */
export { issueCertificate, issueOnKey, renewCertificate, renewOnKey, revokeCertificate } from './flows'
export type { IssueParams, IssueOnKeyParams, RenewParams, RenewOnKeyParams, RevokeParams, RevokeAuth, RevokeResult, IssuedCertificate, IssuedOnKey, IssuanceDeps, BeforeConfirm } from './flows'
export { softwareKey, type KeyHolder } from './keyHolder'
export type { SignatureHash } from './protection'
export { caProfileSchema, parseCaProfile, createTransport, localMockProfile, profileEndpoint, profileCaCertificate } from './profiles'
export type { CaProfile, CaProfileInput } from './profiles'
export { CRL_REASONS, type CrlReason } from './messages'
export type { CmpTransport } from './transport/types'
