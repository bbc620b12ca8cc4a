/**
 * A small world of real certificate files for the e2e tests: a fixed-disk NPKI root with the 홍길동 fixture (valid
 * until 2044, password FIXTURE_PASSWORD) and the PyPinkSign sample (an expired yessign test certificate), a "USB
 * drive" with an empty NPKI folder, and Dojang's data folder. Everything lives in one temp folder.
 */
import { cp, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { FIXTURE_PASSWORD, HONG_DIR, PYPINKSIGN_DIR, PYPINKSIGN_PASSWORD, tempDir, VECTORS } from '../support/fixtures'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { expectCleanPage, waitForRows } from './helpers'
import { launchBrowser, startTestHost, type TestHost, type TestHostOptions } from './host'

export { FIXTURE_PASSWORD, PYPINKSIGN_PASSWORD, VECTORS }

export const HONG_NAME = '홍길동'
export const HONG_DN = 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'
export const PYPINKSIGN_DN = 'cn=HKD(KILDONG.HONG)009104120200225191000030,ou=HNB,ou=personal4IB,o=yessign,c=kr'

export interface World {
  dir: string
  diskRoot: string
  usbMount: string
  usbRoot: string
  dataDir: string
  hongFolder: string
  pypinkFolder: string
  host: TestHost
  close(): Promise<void>
}

export async function startWorld(opts: { browser?: Browser; withUsb?: boolean; withPyPinkSign?: boolean } & Partial<TestHostOptions> = {}): Promise<World> {
  const tmp = await tempDir('dojang-e2e-')
  const diskRoot = join(tmp.dir, 'home', 'NPKI')
  const usbMount = join(tmp.dir, 'usb')
  const usbRoot = join(usbMount, 'NPKI')
  const dataDir = join(tmp.dir, 'data')
  const hongFolder = join(diskRoot, 'testsign', 'USER', HONG_DN)
  const pypinkFolder = join(diskRoot, 'yessign', 'USER', PYPINKSIGN_DN)
  await cp(HONG_DIR, hongFolder, { recursive: true })
  if (opts.withPyPinkSign !== false) {
    await mkdir(pypinkFolder, { recursive: true })
    await cp(join(PYPINKSIGN_DIR, 'signCert.der'), join(pypinkFolder, 'signCert.der'))
    await cp(join(PYPINKSIGN_DIR, 'signPri.key'), join(pypinkFolder, 'signPri.key'))
  }
  // A USB drive counts only when it has an NPKI folder at its top, as in the bank tools.
  await mkdir(usbRoot, { recursive: true })
  try {
    const host = await startTestHost({
      roots: [diskRoot],
      dataDir,
      removableRoots: opts.withUsb === false ? [] : [usbMount],
      ...(opts.browser ? { browser: opts.browser } : {}),
      ...(opts.viewport ? { viewport: opts.viewport } : {}),
      ...(opts.keychain ? { keychain: true } : {}),
      ...(opts.scanFirst !== undefined ? { scanFirst: opts.scanFirst } : {}),
      ...(opts.beforeLoad ? { beforeLoad: opts.beforeLoad } : {}),
      ...(opts.tokens ? { tokens: opts.tokens } : {}),
      saveDir: join(tmp.dir, 'saved'),
    })
    return {
      dir: tmp.dir,
      diskRoot,
      usbMount,
      usbRoot,
      dataDir,
      hongFolder,
      pypinkFolder,
      host,
      async close() {
        await host.close()
        await tmp.cleanup()
      },
    }
  } catch (e) {
    await tmp.cleanup()
    throw e
  }
}

/**
 * The usual test file: one Chromium for the file, a fresh world (folders, data folder, page) for every test that
 * starts with `rows` certificates listed, and after each test a check that the page logged no error.
 */
export function worldPerTest(set: (w: World) => void, opts: Omit<Parameters<typeof startWorld>[0] & object, 'browser'> = {}, rows = 2): void {
  let browser: Browser | undefined
  let current: World | undefined
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(() => browser?.close())
  beforeEach(async () => {
    current = await startWorld({ ...opts, ...(browser ? { browser } : {}) })
    set(current)
    await waitForRows(current.host.page, rows)
  })
  afterEach(async () => {
    if (!current) return
    expectCleanPage(current.host)
    await current.close()
    current = undefined
  })
}
