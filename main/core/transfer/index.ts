/** QR copy to phone and back over the LAN (qr-transfer.md, docs/qr-transfer.md). */
export { lanAddresses, hostPort, sessionUrl, type LanAddress } from './address'
export { formatCode } from './code'
export type { ShareItem, ShareFile, UploadFile, UploadKind, PfxPasswordKind } from './payload'
export { qrPngDataUrl, qrPng, qrTerminalText } from './qr'
export { startReceive, type ReceiveOptions, type ReceiveOutcome, type ReceiveSession } from './receive'
export type { EndpointOptions, SessionLimits, Scheduler, TerminalState } from './server'
export { startShare, shareItemFromBundle, shareItemFromFolder, type ShareOptions, type ShareOutcome, type ShareSession, type ShareStatus } from './share'
export { certFoldersInZip, readZip, type ZippedCertFolder } from './unzip'
