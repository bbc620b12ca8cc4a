/**
 * Every user command, by name. Each front end is a thin table over this one: the IPC handler table maps contract
 * methods to commands (main/handlers.ts), the CLI maps verbs to commands (main/cli/verbs.ts); a test proves that
 * every method and verb reaches exactly the command its table names.
 */
import { auditLog } from './auditLog'
import { emptyBackups, listBackups, restoreBackup } from './backups'
import { cancelOperation } from './cancelOperation'
import { certificateInfo } from './certificateInfo'
import { changePassword } from './changePassword'
import { checkPassword } from './checkPassword'
import { copyCertificate } from './copyCertificate'
import { deleteCopy } from './deleteCopy'
import { exportCalendar } from './exportCalendar'
import { getCertificate } from './getCertificate'
import { listCertificates } from './listCertificates'
import { listMedia } from './listMedia'
import { exportPfx, importPfx } from './pfx'
import { importReceived, startReceive } from './phoneReceive'
import { confirmShare, listNetworks, rejectShare } from './phoneSession'
import { startShare } from './phoneShare'
import { scan, startScan } from './scan'
import { addExtraRoot, getSettings, setSettings } from './settings'
import { changeTokenPin, deleteTokenCopy, describeCopy, describeDestination, listTokens } from './tokens'
import { emptyTrash, listTrash, restoreFromTrash } from './trash'
import { verifyVid } from './verifyVid'
import { addCaProfile, listCaProfiles, removeCaProfile } from './caProfiles'
import { issueCertificate } from './issueCertificate'
import { renewCertificate } from './renewCertificate'
import { revokeCertificate } from './revokeCertificate'

export const COMMANDS = {
  listCertificates,
  getCertificate,
  certificateInfo,
  listMedia,
  scan,
  startScan,
  cancelOperation,
  checkPassword,
  changePassword,
  verifyVid,
  deleteCopy,
  listTrash,
  restoreFromTrash,
  emptyTrash,
  copyCertificate,
  exportPfx,
  importPfx,
  getSettings,
  setSettings,
  addExtraRoot,
  auditLog,
  exportCalendar,
  listBackups,
  emptyBackups,
  restoreBackup,
  listNetworks,
  startShare,
  confirmShare,
  rejectShare,
  startReceive,
  importReceived,
  listCaProfiles,
  addCaProfile,
  removeCaProfile,
  issueCertificate,
  renewCertificate,
  revokeCertificate,
  listTokens,
  deleteTokenCopy,
  changeTokenPin,
  describeDestination,
  describeCopy,
} as const

export type Commands = typeof COMMANDS
export type CommandName = keyof Commands
