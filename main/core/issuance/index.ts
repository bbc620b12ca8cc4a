/** Public API of the CMP engine for the command layer (docs/cmp.md). */
export { issueCertificate, renewCertificate, revokeCertificate } from './flows'
export type { IssueParams, RenewParams, RevokeParams, RevokeAuth, RevokeResult, IssuedCertificate, IssuanceDeps } from './flows'
export { caProfileSchema, parseCaProfile, createTransport, localMockProfile, profileEndpoint, profileCaCertificate } from './profiles'
export type { CaProfile, CaProfileInput } from './profiles'
export { CRL_REASONS, type CrlReason } from './messages'
export type { CmpTransport } from './transport/types'
