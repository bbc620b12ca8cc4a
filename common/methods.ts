/**
 * Method names and channels of the IPC contract, without the schemas: the sandboxed preload imports this file
 * and must stay free of dependencies. common/contract.ts checks at compile time that the schemas cover exactly
 * these names.
 */
export const METHOD_NAMES = [
  'listCertificates',
  'getCertificate',
  'listMedia',
  'startScan',
  'cancelOperation',
  'checkPassword',
  'changePassword',
  'verifyVid',
  'deleteCopy',
  'listTrash',
  'restoreFromTrash',
  'emptyTrash',
  'copyCertificate',
  'exportPfx',
  'importPfx',
  'getSettings',
  'setSettings',
  'addExtraRoot',
  'auditLog',
  'exportCalendar',
  'listBackups',
  'emptyBackups',
  'listNetworks',
  'startShare',
  'confirmShare',
  'rejectShare',
  'startReceive',
  'importReceived',
  'listCaProfiles',
  'issueCertificate',
  'renewCertificate',
  'revokeCertificate',
  'listTokens',
  'changeTokenPin',
  'deleteTokenCopy',
] as const

export type MethodName = (typeof METHOD_NAMES)[number]

/** One channel per method; renderer code never sees channel names. */
export const channelOf = (m: MethodName): string => `dojang:${m}`

/** The one main → renderer event channel. */
export const EVENT_CHANNEL = 'dojang:event'
