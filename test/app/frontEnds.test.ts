/**
 * One road from every front end: every contract method and every CLI verb reaches exactly the core commands its
 * table names, and the same command writes the same audit entry whichever front end ran it.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { METHOD_NAMES, type MethodName } from '../../common/contract'
import { DojangError } from '../../common/errors'
import { COMMANDS, type CommandName, type Commands } from '../../main/core/app/commands'
import { openCore, type Core } from '../../main/core/app/core'
import { CLI_VERBS, runCli } from '../../main/cli/run'
import { createHandlers, HANDLER_COMMANDS } from '../../main/handlers'
import { invokeMethod } from '../../main/ipc'
import { copyHongFolder, FIXTURE_PASSWORD, tempDir } from '../support/fixtures'

/** A commands table that records which command was reached and stops there. */
function probe(): { commands: Commands; reached: CommandName[] } {
  const reached: CommandName[] = []
  const commands = new Proxy(COMMANDS, {
    get: (_target, name) => () => {
      reached.push(name as CommandName)
      throw new DojangError('CANCELLED', 'probe')
    },
  }) as Commands
  return { commands, reached }
}

const SAMPLE: { [M in MethodName]: unknown } = {
  listCertificates: {},
  getCertificate: { id: '3e9:CN=x' },
  listMedia: {},
  startScan: {},
  cancelOperation: { operationId: 1 },
  checkPassword: { location: '/x', password: 'p' },
  changePassword: { locations: ['/x'], oldPassword: 'p', newPassword: 'q' },
  verifyVid: { location: '/x', password: 'p', idn: '8001011234567' },
  deleteCopy: { location: '/x' },
  listTrash: {},
  restoreFromTrash: { id: 't' },
  emptyTrash: {},
  copyCertificate: { location: '/x', to: { medium: 'keychain' } },
  exportPfx: { location: '/x', password: 'p', pfxPassword: 'q', profile: 'bank' },
  importPfx: { bytes: new Uint8Array(4), pfxPassword: 'p', newPassword: 'q', to: { medium: 'keychain' } },
  getSettings: {},
  setSettings: { language: 'en' },
  addExtraRoot: {},
  auditLog: {},
  exportCalendar: {},
  listBackups: {},
  emptyBackups: {},
  listNetworks: {},
  startShare: { locations: ['/x'] },
  confirmShare: { operationId: 1 },
  rejectShare: { operationId: 1 },
  startReceive: {},
  importReceived: { operationId: 1, password: 'p', newPassword: 'q', to: { medium: 'keychain' } },
  listCaProfiles: {},
  issueCertificate: { ca: 'x', referenceNumber: '12345678', authCode: 'a', newPassword: 'q', to: { medium: 'keychain' } },
  renewCertificate: { location: '/x', ca: 'x', password: 'p' },
  revokeCertificate: { location: '/x', ca: 'x', reason: 'superseded', password: 'p' },
  listTokens: {},
  changeTokenPin: { token: 'token:x', oldPin: '1111', newPin: '2222' },
  deleteTokenCopy: { location: 'token:x/01', pin: '1111', permanent: true },
}

/** Arguments and stdin lines that get each verb past its own parsing to the commands. */
const VERB_ARGS: { [V in keyof typeof CLI_VERBS]: { args: string[]; stdin?: string[] } } = {
  info: { args: ['/x'] },
  scan: { args: [] },
  list: { args: [] },
  report: { args: [] },
  expiring: { args: [] },
  copy: { args: ['/x', '--to', 'keychain'] },
  move: { args: ['/x', '--to', 'keychain'] },
  delete: { args: ['/x'] },
  trash: { args: [] },
  restore: { args: ['t'] },
  backups: { args: [] },
  'check-password': { args: ['/x', '--password-stdin'], stdin: ['p'] },
  'change-password': { args: ['/x', '--password-stdin', '--allow-weak'], stdin: ['p', 'q'] },
  'verify-vid': { args: ['/x', '--password-stdin'], stdin: ['p', '8001011234567'] },
  'export-pfx': { args: ['/x', '--out', '/tmp/never.pfx', '--password-stdin'], stdin: ['p', 'q'] },
  'import-pfx': { args: ['__PFX__', '--to', 'keychain', '--password-stdin'], stdin: ['p', 'q'] },
  share: { args: ['/x', '--bind', '127.0.0.1', '--yes'] },
  receive: { args: ['--to', 'keychain', '--bind', '127.0.0.1', '--yes', '--password-stdin'], stdin: ['p', 'q'] },
  ca: { args: ['list'] },
  issue: { args: ['--ca', 'x', '--ref', '12345678', '--to', '/tmp/never-npki', '--password-stdin'], stdin: ['AUTH-CODE', 'Dojang!7q9w2x'] },
  renew: { args: ['/x', '--ca', 'x', '--password-stdin'], stdin: ['p'] },
  revoke: { args: ['/x', '--ca', 'x', '--reason', 'superseded', '--password-stdin'], stdin: ['p'] },
  tokens: { args: [] },
  token: { args: ['change-pin', '--pin-stdin'], stdin: ['111111', '222222'] },
}

function io(stdinLines: string[], env: NodeJS.ProcessEnv) {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (d) => (out += d))
  stderr.on('data', (d) => (err += d))
  return { io: { stdin: Readable.from([stdinLines.map((l) => `${l}\n`).join('')]), stdout, stderr, env }, text: () => ({ out, err }) }
}

let tmp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  tmp = await tempDir()
})
afterEach(() => tmp.cleanup())

describe('every contract method reaches the command its table names', () => {
  it.each(METHOD_NAMES)('%s', async (method) => {
    const core = await openCore({ dataDir: join(tmp.dir, 'data'), diskRoots: [], volumeSource: null, secretStore: null, frontEnd: 'app' })
    try {
      const { commands, reached } = probe()
      const handlers = createHandlers(core, { chooseSavePath: async () => join(tmp.dir, 'out.bin'), chooseOpenPath: async () => join(tmp.dir, 'in.pfx'), chooseFolder: async () => tmp.dir }, commands)
      const r = await invokeMethod(handlers, method, SAMPLE[method])
      expect(r.ok).toBe(false)
      expect(reached).toEqual([HANDLER_COMMANDS[method]])
    } finally {
      core.close()
    }
  })
})

describe('every CLI verb reaches the commands its table names', () => {
  it.each(Object.keys(CLI_VERBS) as (keyof typeof CLI_VERBS)[])('%s', async (verb) => {
    const { commands, reached } = probe()
    const pfx = join(tmp.dir, 'in.pfx')
    await (await import('node:fs/promises')).writeFile(pfx, new Uint8Array(4))
    const { args, stdin = [] } = VERB_ARGS[verb]
    const run = io(stdin, { DBUS_SESSION_BUS_ADDRESS: '' })
    const argv = [verb, ...args.map((a) => (a === '__PFX__' ? pfx : a)), '--data-dir', join(tmp.dir, 'data'), '--no-keychain']
    await runCli(argv, run.io, { commands })
    expect(reached.length, run.text().err).toBeGreaterThan(0)
    for (const name of reached) expect(CLI_VERBS[verb] as readonly string[]).toContain(name)
  })

  it('a verb outside the table is a usage error that reaches no command', async () => {
    const { commands, reached } = probe()
    const run = io([], {})
    expect(await runCli(['frobnicate'], run.io, { commands })).toBe(2)
    expect(reached).toEqual([])
  })
})

describe('one command, one audit entry, whichever front end ran it', () => {
  let core: Core
  let folder: string
  beforeEach(async () => {
    folder = await copyHongFolder(tmp.dir)
    core = await openCore({ dataDir: join(tmp.dir, 'data'), diskRoots: [join(tmp.dir, 'NPKI')], volumeSource: null, secretStore: null, frontEnd: 'app' })
    await COMMANDS.scan(core)
  })
  afterEach(() => core.close())

  it('check-password and verify-vid from the page and from the CLI log the same entries', async () => {
    const handlers = createHandlers(core, { chooseSavePath: async () => null, chooseOpenPath: async () => null, chooseFolder: async () => null })
    const cliArgs = ['--root', join(tmp.dir, 'NPKI'), '--data-dir', join(tmp.dir, 'data'), '--no-keychain', '--password-stdin']
    const shape = () =>
      core.inventory.auditLog({ limit: 1 }).map(({ action, certificate, locations, outcome, detail }) => ({ action, certificate, locations, outcome, detail }))[0]

    expect((await invokeMethod(handlers, 'checkPassword', { location: folder, password: 'wrong-password' })).ok).toBe(false)
    const fromPage = shape()
    expect(await runCli(['check-password', folder, ...cliArgs], io(['wrong-password'], {}).io)).toBe(3)
    expect(shape()).toEqual(fromPage)
    expect(fromPage).toMatchObject({ action: 'check-password', outcome: 'WRONG_PASSWORD', locations: [folder] })
    expect(fromPage!.certificate).not.toBeNull()

    expect((await invokeMethod(handlers, 'verifyVid', { location: folder, password: FIXTURE_PASSWORD, idn: '8001011234567' })).ok).toBe(true)
    const vidFromPage = shape()
    expect(await runCli(['verify-vid', folder, ...cliArgs], io([FIXTURE_PASSWORD, '8001011234567'], {}).io)).toBe(0)
    expect(shape()).toEqual(vidFromPage)
    expect(vidFromPage).toMatchObject({ action: 'verify-vid', outcome: 'ok' })
    expect(existsSync(folder)).toBe(true)
  })
})
