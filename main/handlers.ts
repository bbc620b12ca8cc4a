/**
 * The handler table of the IPC contract: one line of glue per method, from the validated request to a core
 * command and from its result to the contract's view. Electron-free: the app registers it through main/ipc.ts,
 * and the Chromium tests run the very same table in Node. Anything that needs a person (a file dialog) goes
 * through `UiPorts`; every rule lives in the commands.
 */
import { parseCertificateId } from '../common/certificateId'
import type { MethodName } from '../common/contract'
import { DojangError } from '../common/errors'
import { COMMANDS, type CommandName, type Commands } from './core/app/commands'
import type { Core } from './core/app/core'
import { auditEntryView, backupView, certificateDetailView, certificateView, errorView, trashEntryView } from './core/app/views'
import type { Handlers } from './ipc'

export interface UiPorts {
  /** A save dialog; null when the person cancels. */
  chooseSavePath(opts: { title: string; defaultName: string; extensions: string[] }): Promise<string | null>
  /** An open dialog; null when the person cancels. */
  chooseOpenPath(opts: { title: string; extensions: string[] }): Promise<string | null>
  /** A folder dialog; null when the person cancels. */
  chooseFolder(opts: { title: string }): Promise<string | null>
}

/** Which command each contract method reaches (proved by test/app/frontEnds.test.ts). */
export const HANDLER_COMMANDS = {
  listCertificates: 'listCertificates',
  getCertificate: 'getCertificate',
  listMedia: 'listMedia',
  startScan: 'startScan',
  cancelOperation: 'cancelOperation',
  checkPassword: 'checkPassword',
  changePassword: 'changePassword',
  verifyVid: 'verifyVid',
  deleteCopy: 'deleteCopy',
  listTrash: 'listTrash',
  restoreFromTrash: 'restoreFromTrash',
  emptyTrash: 'emptyTrash',
  copyCertificate: 'copyCertificate',
  exportPfx: 'exportPfx',
  importPfx: 'importPfx',
  getSettings: 'getSettings',
  setSettings: 'setSettings',
  addExtraRoot: 'addExtraRoot',
  auditLog: 'auditLog',
  exportCalendar: 'exportCalendar',
  listBackups: 'listBackups',
  emptyBackups: 'emptyBackups',
  listNetworks: 'listNetworks',
  startShare: 'startShare',
  confirmShare: 'confirmShare',
  rejectShare: 'rejectShare',
  startReceive: 'startReceive',
  importReceived: 'importReceived',
  listCaProfiles: 'listCaProfiles',
  issueCertificate: 'issueCertificate',
  renewCertificate: 'renewCertificate',
  revokeCertificate: 'revokeCertificate',
  listTokens: 'listTokens',
  changeTokenPin: 'changeTokenPin',
  deleteTokenCopy: 'deleteTokenCopy',
} as const satisfies Record<MethodName, CommandName>

function phoneSessionView(s: { operationId: number; qr: string; expiresAt: number; address: string; transferPassword?: string }) {
  // The URL (with the session key) stays in main: the page gets the QR image only.
  return { operationId: s.operationId, qrDataUrl: s.qr, expiresAt: s.expiresAt, address: s.address, ...(s.transferPassword ? { transferPassword: s.transferPassword } : {}) }
}

function certificateKey(id: string) {
  const key = parseCertificateId(id)
  if (!key) throw new DojangError('INVALID_INPUT', 'Unknown certificate id')
  return key
}

export function createHandlers(core: Core, ports: UiPorts, commands: Commands = COMMANDS): Handlers {
  return {
    listCertificates: async (req) => (await commands.listCertificates(core, req)).map(certificateView),
    getCertificate: async ({ id }) => certificateDetailView(await commands.getCertificate(core, certificateKey(id))),
    listMedia: () => commands.listMedia(core),
    startScan: () => commands.startScan(core, {}),
    cancelOperation: (req) => commands.cancelOperation(core, req),

    async checkPassword(req) {
      const r = await commands.checkPassword(core, req)
      return { ok: true, hasKmPair: r.km !== undefined, hasRandomNum: r.sign.hasRandomNum }
    },

    async changePassword(req) {
      const r = await commands.changePassword(core, req)
      return { changed: r.changed.map(({ location, backupId }) => ({ location, backupId })), failed: r.failed.map((f) => ({ location: f.location, error: errorView(f.error) })) }
    },

    verifyVid: (req) => commands.verifyVid(core, req),
    deleteCopy: async (req) => ({ trashId: (await commands.deleteCopy(core, req)).id }),
    listTrash: async () => (await commands.listTrash(core)).map(trashEntryView),
    restoreFromTrash: async (req) => ({ location: (await commands.restoreFromTrash(core, req)).location }),
    emptyTrash: async (req) => ({ removed: await commands.emptyTrash(core, req) }),

    async copyCertificate({ location, to, move, overwrite, pin, password }) {
      const r = await commands.copyCertificate(core, { location, to: { target: to }, move, overwrite, ...(pin !== undefined ? { pin } : {}), ...(password !== undefined ? { password } : {}) })
      return { location: r.ref.location }
    },

    async exportPfx({ location, password, pfxPassword, profile, includeKm, allowWeak }) {
      const name = core.inventory.listCertificates({}).find((c) => c.copies.some((x) => x.location === location))?.displayName ?? 'certificate'
      const out = await ports.chooseSavePath({ title: 'PFX', defaultName: `${name}.pfx`, extensions: ['pfx', 'p12'] })
      if (!out) return null
      // The save dialog already asked about replacing an existing file.
      await commands.exportPfx(core, { location, password, pfxPassword, profile, includeKm, allowWeak, out, overwrite: true })
      return { path: out }
    },

    async importPfx({ bytes, pfxPassword, newPassword = '', to, allowWeak, overwrite, pin }) {
      let pfx: Uint8Array | { path: string } | undefined = bytes
      if (!pfx) {
        const chosen = await ports.chooseOpenPath({ title: 'PFX', extensions: ['pfx', 'p12'] })
        if (!chosen) throw new DojangError('CANCELLED', 'No file was chosen')
        pfx = { path: chosen }
      }
      const r = await commands.importPfx(core, { pfx, pfxPassword, newPassword, to: { target: to }, allowWeak, overwrite, ...(pin !== undefined ? { pin } : {}) })
      return { location: r.location, warnings: r.warnings }
    },

    getSettings: () => commands.getSettings(core),
    setSettings: (req) => commands.setSettings(core, req),

    async addExtraRoot() {
      const root = await ports.chooseFolder({ title: 'NPKI' })
      return root ? commands.addExtraRoot(core, { root }) : null
    },

    listTokens: (req) => commands.listTokens(core, req),
    changeTokenPin: (req) => commands.changeTokenPin(core, req),
    deleteTokenCopy: (req) => commands.deleteTokenCopy(core, req),

    auditLog: async (req) => (await commands.auditLog(core, req)).map(auditEntryView),
    listBackups: async () => (await commands.listBackups(core)).map(backupView),
    emptyBackups: async (req) => ({ removed: await commands.emptyBackups(core, req) }),

    listNetworks: async () => (await commands.listNetworks(core)).map((n) => ({ interface: n.interface, address: n.address, private: n.private })),
    // The URL (with its key) stays in main: the page gets the QR image only.
    startShare: async (req) => phoneSessionView(await commands.startShare(core, req)),
    confirmShare: (req) => commands.confirmShare(core, req),
    rejectShare: (req) => commands.rejectShare(core, req),
    startReceive: async (req) => phoneSessionView(await commands.startReceive(core, req)),
    async importReceived({ operationId, to, password, newPassword, allowWeak, overwrite }) {
      const r = await commands.importReceived(core, { operationId, to: { target: to }, password, newPassword, allowWeak, overwrite })
      return { locations: r.locations, warnings: r.warnings }
    },
    listCaProfiles: () => commands.listCaProfiles(core),
    async issueCertificate(req) {
      const r = await commands.issueCertificate(core, { ...req, to: { target: req.to } })
      return { location: r.ref.location, certificate: r.certificate, ...(r.ref.medium === 'token' ? { keyOnToken: true } : {}) }
    },
    async renewCertificate(req) {
      const r = await commands.renewCertificate(core, req)
      return { certificate: r.certificate, renewed: r.renewed, failed: r.failed.map((f) => ({ location: f.location, error: errorView(f.error) })), warnings: r.warnings, ...(r.onToken ? { onToken: r.onToken } : {}) }
    },
    async revokeCertificate(req) {
      const r = await commands.revokeCertificate(core, req)
      return { trashed: r.trashed.map((e) => ({ trashId: e.id, location: e.location })), failed: r.failed.map((f) => ({ location: f.location, error: errorView(f.error) })), left: r.left }
    },

    async exportCalendar() {
      const out = await ports.chooseSavePath({ title: 'Calendar', defaultName: 'dojang-expiry.ics', extensions: ['ics'] })
      return out ? commands.exportCalendar(core, { out }) : null
    },
  }
}
