/**
 * File safety for Dojang: atomic writes, all-or-nothing replacement of several files with a restorable backup,
 * crash recovery at start, and careful reads. Electron-free. The pieces live in ./fsx/; import them from here.
 *
 * Data folder layout:
 *   backups/<id>/manifest.json, backups/<id>/<n>-<name>   copies of replaced files (0o600 in 0o700 folders)
 *   journal/<id>.json                                    an operation in flight (prepared | committing | rollback)
 *   journal/.lock                                        one writer per data folder (app and CLI may both run)
 */
export { defaultDataDir, isDojangTempName } from './fsx/paths'
export { mapFsError } from './fsx/errors'
export { atFaultPoints, faultPoint, setFaultProbe, type FaultProbe, type FaultSite, type FaultPhase } from './fsx/faults'
export { writeFileAtomic, readFileSafe, snapshotDir, sha256Hex, nodeIo, type FsIo, type WritableFile } from './fsx/io'
export { replaceFiles, type FileChange, type FaultHooks, type FaultPoint, type ReplaceOptions } from './fsx/txn'
export { recoverJournals, type RecoveryReport, type RecoveryOutcome } from './fsx/recover'
export { makeDataDirPrivate, type PrivacyReport } from './fsx/privacy'
export { listBackups, restoreBackup, emptyBackups, type BackupInfo, type BackupFileInfo } from './fsx/backups'
