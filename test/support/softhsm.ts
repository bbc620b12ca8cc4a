/**
 * A private SoftHSM2 token per test run (platform-notes §4.2): a temporary SOFTHSM2_CONF and token folder, no root and
 * no global state. The module reads SOFTHSM2_CONF from the environment of the process that loads it, so tests pass
 * `env` to the token worker instead of changing this process's environment.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from './fixtures'

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so'
export const SO_PIN = '87654321'
export const USER_PIN = '123456'

export interface SoftHsm {
  module: string
  conf: string
  env: NodeJS.ProcessEnv
  /** The serial number SoftHSM gave the token. */
  serial: string
  label: string
  dir: string
  cleanup: () => Promise<void>
  /** Another token in the same folder (a second slot). */
  addToken: (label: string, pin?: string) => string
}

export function softhsmAvailable(): boolean {
  return existsSync(SOFTHSM_MODULE)
}

export async function createSoftHsm(label = 'dojang-test', pin = USER_PIN): Promise<SoftHsm> {
  const { dir, cleanup } = await tempDir('dojang-softhsm-')
  const tokens = join(dir, 'tokens')
  await mkdir(tokens)
  const conf = join(dir, 'softhsm2.conf')
  await writeFile(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`)
  const env = { ...process.env, SOFTHSM2_CONF: conf }
  const init = (l: string, p: string): string => {
    const out = execFileSync('softhsm2-util', ['--init-token', '--free', '--label', l, '--so-pin', SO_PIN, '--pin', p], { env, encoding: 'utf8' })
    const m = /reassigned to slot (\d+)/.exec(out)
    if (!m) throw new Error(`softhsm2-util did not say which slot: ${out}`)
    return serialOf(env, l)
  }
  const serial = init(label, pin)
  return { module: SOFTHSM_MODULE, conf, env, serial, label, dir, cleanup, addToken: (l, p = USER_PIN) => init(l, p) }
}

/** The serial number of the token with this label, from `softhsm2-util --show-slots`. */
function serialOf(env: NodeJS.ProcessEnv, label: string): string {
  const out = execFileSync('softhsm2-util', ['--show-slots'], { env, encoding: 'utf8' })
  for (const block of out.split(/\n(?=Slot \d+)/)) {
    const l = /Label:\s*(.*)/.exec(block)?.[1]?.trim()
    const s = /Serial number:\s*(\S+)/.exec(block)?.[1]?.trim()
    if (l === label && s) return s
  }
  throw new Error(`no SoftHSM token labelled ${label}`)
}
