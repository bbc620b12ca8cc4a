/**
 * A private, real Secret Service for tests: a D-Bus session bus of our own and a gnome-keyring-daemon on it, with
 * HOME and the XDG folders in a temp dir, so no real keyring is ever touched and `npx vitest run` works with no
 * session bus in the environment.
 *
 *   const ss = await startSecretService()      // beforeAll
 *   ss.useInThisProcess()                       // before the first keytar call of this test file
 *   …
 *   await ss.stop()                             // afterAll
 *
 * libsecret (under keytar) connects to the session bus once per process and keeps that connection, so one test file
 * = one bus; vitest runs each file in its own worker, which is what makes this work. To test other bus situations
 * (none, dead, locked keyring), run the code in a child process with `env` or your own variables.
 *
 * Linux only. Needs dbus-daemon, dbus-send and gnome-keyring-daemon (Debian: dbus, gnome-keyring); secret-tool
 * (libsecret-tools) for `secretTool`.
 */
import { execFile, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const START_TIMEOUT_MS = 15_000

export interface SecretServiceOptions {
  /** Unlock the login keyring at start (default). false leaves it locked, as after a login without PAM unlock. */
  unlock?: boolean
  /**
   * HOME for the keyring daemon, kept after stop (the caller removes it). Lets a test start a second daemon on the
   * keyring files of a first one, e.g. to get a keyring that exists, holds items and is locked. Default: a fresh temp.
   */
  home?: string
}

export interface SecretService {
  /** The bus address (unix:path=…). */
  readonly address: string
  /** The temp dir holding the socket, HOME and the keyring files. */
  readonly dir: string
  /** Variables that point a child process (secret-tool, a second node) at this bus and keyring. */
  readonly env: Readonly<Record<string, string>>
  /** Points this process at the bus. Must run before the first keychain call of the process. */
  useInThisProcess(): void
  /** Runs secret-tool against this keyring. Its output includes secrets: assert on it, never print it. */
  secretTool(args: string[], input?: string): SpawnSyncReturns<string>
  /** Stops both daemons and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>
}

/** Names of the programs the harness needs that are not on PATH. */
export function missingSecretServiceTools(): string[] {
  return ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0)
}

// setpriv --pdeathsig makes a daemon die with the test worker even if afterAll never runs (crash, timeout kill).
let pdeathsig: boolean | undefined
function guarded(cmd: string, args: string[]): [string, string[]] {
  pdeathsig ??= spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true']).status === 0
  return pdeathsig ? ['setpriv', ['--pdeathsig', 'KILL', cmd, ...args]] : [cmd, args]
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

// A session bus that only we use: no service activation (nothing installed on the machine gets started behind our
// back, e.g. a second keyring daemon or a GUI prompter) and our own socket path.
function busConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${xml(socket)}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
}

/** Collects a stream's text (bounded) for error messages. */
function tail(child: ChildProcess): () => string {
  let text = ''
  const add = (b: Buffer) => {
    text = (text + b.toString('utf8')).slice(-4000)
  }
  child.stdout?.on('data', add)
  child.stderr?.on('data', add)
  return () => text
}

function firstLine(child: ChildProcess, what: string, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => done(new Error(`${what} printed no address within ${START_TIMEOUT_MS} ms: ${output()}`)), START_TIMEOUT_MS)
    const onData = (b: Buffer) => {
      buf += b.toString('utf8')
      const nl = buf.indexOf('\n')
      if (nl >= 0) done(undefined, buf.slice(0, nl).trim())
    }
    const onExit = (code: number | null) => done(new Error(`${what} exited (${code}) before it was ready: ${output()}`))
    const onError = (e: Error) => done(e)
    function done(err?: Error, line?: string) {
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.off('exit', onExit)
      child.off('error', onError)
      if (err) reject(err)
      else resolve(line!)
    }
    child.stdout?.on('data', onData)
    child.once('exit', onExit)
    child.once('error', onError)
  })
}

async function dbusSend(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  const { stdout } = await run('dbus-send', ['--session', '--print-reply', ...args], { env, timeout: 5_000 })
  return stdout
}

async function waitFor(what: string, check: () => Promise<boolean>, alive: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (await check().catch(() => false)) return
    if (!alive()) throw new Error(`gnome-keyring-daemon exited before ${what}: ${output()}`)
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${output()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
  await exited
  clearTimeout(timer)
}

export async function startSecretService(opts: SecretServiceOptions = {}): Promise<SecretService> {
  if (process.platform !== 'linux') throw new Error('The Secret Service test harness runs on Linux only.')
  const missing = missingSecretServiceTools()
  if (missing.length > 0) throw new Error(`Missing for the keyring tests: ${missing.join(', ')} (Debian: apt-get install dbus gnome-keyring libsecret-tools)`)

  const dir = await mkdtemp(join(tmpdir(), 'dojang-ss-'))
  const home = opts.home ?? join(dir, 'home')
  const runtime = join(dir, 'run')
  for (const d of [home, runtime]) await mkdir(d, { recursive: true, mode: 0o700 })
  const socket = join(dir, 'bus')
  const config = join(dir, 'bus.conf')
  await writeFile(config, busConfig(socket))

  let bus: ChildProcess | undefined
  let keyring: ChildProcess | undefined
  const killNow = () => {
    keyring?.kill('SIGKILL')
    bus?.kill('SIGKILL')
  }
  process.once('exit', killNow)
  let stopped = false
  let savedAddress: string | undefined
  let usedHere = false

  const stop = async () => {
    if (stopped) return
    stopped = true
    await stopChild(keyring)
    await stopChild(bus)
    process.off('exit', killNow)
    if (usedHere) {
      if (savedAddress === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS
      else process.env.DBUS_SESSION_BUS_ADDRESS = savedAddress
    }
    await rm(dir, { recursive: true, force: true })
  }

  try {
    const [busCmd, busArgs] = guarded('dbus-daemon', [`--config-file=${config}`, '--nofork', '--print-address=1'])
    bus = spawn(busCmd, busArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home } })
    const busOutput = tail(bus)
    const address = await firstLine(bus, 'dbus-daemon', busOutput)

    const env: Record<string, string> = {
      DBUS_SESSION_BUS_ADDRESS: address,
      HOME: home,
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_RUNTIME_DIR: runtime,
    }
    const childEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...env }
    const unlock = opts.unlock ?? true
    const [krCmd, krArgs] = guarded('gnome-keyring-daemon', ['--foreground', '--components=secrets', ...(unlock ? ['--unlock'] : [])])
    const kr = spawn(krCmd, krArgs, { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv })
    keyring = kr
    const krOutput = tail(kr)
    // With --unlock the daemon reads the password of the login keyring from stdin (and creates that keyring on first
    // use). A throwaway value: the keyring dies with the temp dir.
    kr.stdin?.end(unlock ? 'dojang-test-keyring' : '')
    const alive = () => kr.exitCode === null && kr.signalCode === null
    await waitFor(
      'org.freedesktop.secrets on the bus',
      async () =>
        (
          await dbusSend(childEnv, ['--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'])
        ).includes('boolean true'),
      alive,
      krOutput,
    )
    if (unlock) {
      // Only now is it safe to ask the keyring itself: the name is owned, so the bus will not try to activate anything.
      await waitFor(
        'an unlocked default keyring',
        async () =>
          (
            await dbusSend(childEnv, [
              '--dest=org.freedesktop.secrets',
              '/org/freedesktop/secrets/aliases/default',
              'org.freedesktop.DBus.Properties.Get',
              'string:org.freedesktop.Secret.Collection',
              'string:Locked',
            ])
          ).includes('boolean false'),
        alive,
        krOutput,
      )
    }

    return {
      address,
      dir,
      env,
      useInThisProcess() {
        if (!usedHere) savedAddress = process.env.DBUS_SESSION_BUS_ADDRESS
        usedHere = true
        process.env.DBUS_SESSION_BUS_ADDRESS = address
      },
      secretTool(args, input) {
        return spawnSync('secret-tool', args, { env: childEnv, input: input ?? '', encoding: 'utf8', timeout: 15_000 })
      },
      stop,
    }
  } catch (e) {
    await stop()
    throw e
  }
}
