// Finding token modules: the npki_pkcs11.cnf driver list (read leniently), settings and arguments; a path that does not
// exist or a file that is not a PKCS#11 module gives a clear, typed error — here and when the worker loads it.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkModuleFile, decodeConfig, discoverModules, expandPath, inspectModule, npkiConfigPath, parseNpkiPkcs11Config, TokenWorkerClient,
} from '../../../main/core/stores/token'
import { codeOf, errorOf } from '../../support/errors'
import { tempDir } from '../../support/fixtures'
import { SOFTHSM_MODULE } from '../../support/softhsm'

/** A real shared library that is not a PKCS#11 module: pkcs11js's own binding (no C_GetFunctionList). */
const NOT_A_MODULE = join(__dirname, '../../../node_modules/pkcs11js/build/Release/pkcs11.node')

describe('npki_pkcs11.cnf', () => {
  it('lives in System32 on Windows and in the home folder elsewhere', () => {
    expect(npkiConfigPath('win32', { SystemRoot: 'D:\\Windows' }, 'C:\\Users\\hong')).toBe('D:\\Windows\\System32\\npki_pkcs11.cnf')
    expect(npkiConfigPath('win32', {}, 'C:\\Users\\hong')).toBe('C:\\Windows\\System32\\npki_pkcs11.cnf')
    expect(npkiConfigPath('darwin', {}, '/Users/hong')).toBe('/Users/hong/.npki_pkcs11.cnf')
    expect(npkiConfigPath('linux', {}, '/home/hong')).toBe('/home/hong/.npki_pkcs11.cnf')
  })

  it('reads INI sections with name and path keys, bare paths and comments', () => {
    const text = [
      '# drivers of Korean security tokens',
      '[SafeToken]',
      'Name=세이프토큰 USB',
      'Path=%SystemRoot%\\System32\\safetoken_p11.dll',
      'Info=v2.1',
      '',
      '[OtherVendor]',
      'SignatureToken = "C:\\Program Files\\Other\\other p11.dll"',
      '; a comment',
      'C:\\Windows\\System32\\bare.dll',
      '/usr/local/lib/libvendor.so.1',
    ].join('\r\n')
    const entries = parseNpkiPkcs11Config(text, { SystemRoot: 'C:\\Windows' }, '/home/hong')
    expect(entries).toEqual([
      { path: 'C:\\Windows\\System32\\safetoken_p11.dll', name: '세이프토큰 USB', section: 'SafeToken' },
      { path: 'C:\\Program Files\\Other\\other p11.dll', name: 'OtherVendor', section: 'OtherVendor' },
      { path: 'C:\\Windows\\System32\\bare.dll', name: 'OtherVendor', section: 'OtherVendor' },
      { path: '/usr/local/lib/libvendor.so.1', name: 'OtherVendor', section: 'OtherVendor' },
    ])
  })

  it('takes key: value and key=value lines without sections, drops duplicates and ignores junk', () => {
    const text = 'module: ~/lib/a.dylib\nlib=/opt/b.so\n/opt/b.so\nthis line means nothing\n[]\n=\nPath=not a library\n'
    expect(parseNpkiPkcs11Config(text, {}, '/Users/hong')).toEqual([
      { path: '/Users/hong/lib/a.dylib', name: 'module' },
      { path: '/opt/b.so', name: 'lib' },
    ])
    expect(parseNpkiPkcs11Config('', {}, '/')).toEqual([])
    expect(parseNpkiPkcs11Config('\u0000\u0001garbage\uffff', {}, '/')).toEqual([])
  })

  it('decodes UTF-8, UTF-16 with a BOM and CP949 (older Korean installers)', () => {
    const text = '[토큰]\nName=보안토큰\nPath=C:\\a.dll\n'
    expect(decodeConfig(Buffer.from(text, 'utf8'))).toBe(text)
    expect(decodeConfig(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).toBe(text)
    expect(decodeConfig(iconv.encode(text, 'cp949'))).toBe(text)
  })

  it('expands %VAR%, $VAR and ~', () => {
    expect(expandPath('%ProgramFiles%\\x.dll', { PROGRAMFILES: 'C:\\Program Files' }, '/h')).toBe('C:\\Program Files\\x.dll')
    expect(expandPath('$HOME/lib/x.so', { HOME: '/home/hong' }, '/h')).toBe('/home/hong/lib/x.so')
    expect(expandPath('~/x.so', {}, '/home/hong')).toBe('/home/hong/x.so')
    expect(expandPath('%NOPE%\\x.dll', {}, '/h')).toBe('%NOPE%\\x.dll')
  })
})

describe('module checks', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let client: TokenWorkerClient
  beforeAll(async () => {
    ;({ dir, cleanup } = await tempDir('dojang-modules-'))
    await writeFile(join(dir, 'notes.so'), 'this is a text file, not a library\n')
    await mkdir(join(dir, 'folder.so'))
    client = new TokenWorkerClient()
  })
  afterAll(async () => {
    client.close()
    await cleanup()
  })

  it('a path that does not exist is NOT_FOUND, here and in the worker', async () => {
    const missing = join(dir, 'missing-p11.so')
    const here = await errorOf(checkModuleFile(missing))
    expect(here.code).toBe('NOT_FOUND')
    expect(here.details).toMatchObject({ reason: 'pkcs11-module-missing', module: missing })
    expect(here.message).toContain(missing)
    const there = await errorOf(client.request({ op: 'listTokens', module: missing }))
    expect(there.code).toBe('NOT_FOUND')
    expect(there.details.reason).toBe('pkcs11-module-missing')
  })

  it('a text file or a folder is TOKEN_MODULE_INVALID, here and in the worker', async () => {
    expect(await codeOf(checkModuleFile(join(dir, 'notes.so')))).toBe('TOKEN_MODULE_INVALID')
    expect(await codeOf(checkModuleFile(join(dir, 'folder.so')))).toBe('TOKEN_MODULE_INVALID')
    expect(await codeOf(checkModuleFile(''))).toBe('INVALID_INPUT')
    const there = await errorOf(client.request({ op: 'listTokens', module: join(dir, 'notes.so') }))
    expect(there.code).toBe('TOKEN_MODULE_INVALID')
  })

  it('a shared library that is not a PKCS#11 module passes the quick check but not the worker (TOKEN_MODULE_INVALID)', async () => {
    await checkModuleFile(NOT_A_MODULE)
    const err = await errorOf(inspectModule(client, NOT_A_MODULE))
    expect(err.code).toBe('TOKEN_MODULE_INVALID')
    expect(err.message).toMatch(/not a PKCS#11 module/)
    // The worker survived the bad module and still loads a good one.
    const info = await inspectModule(client, SOFTHSM_MODULE)
    expect(info.manufacturer).toBe('SoftHSM')
    expect(info.cryptokiVersion).toMatch(/^2\./)
  })

  it('discovers modules from the list file, settings and arguments, each checked', async () => {
    const cnf = join(dir, 'npki_pkcs11.cnf')
    await writeFile(cnf, `[SoftHSM]\nName=SoftHSM 2\nPath=${SOFTHSM_MODULE}\n\n[Gone]\nPath=${join(dir, 'gone.so')}\n`)
    const found = await discoverModules({ configFile: cnf, settings: [join(dir, 'notes.so'), SOFTHSM_MODULE], args: [NOT_A_MODULE] })
    expect(found.configFound).toBe(true)
    expect(found.modules.map((m) => [m.source, m.path, m.status === 'ok' ? 'ok' : m.status.code])).toEqual([
      ['argument', NOT_A_MODULE, 'ok'],
      ['settings', join(dir, 'notes.so'), 'TOKEN_MODULE_INVALID'],
      ['settings', SOFTHSM_MODULE, 'ok'],
      ['npki_pkcs11.cnf', join(dir, 'gone.so'), 'NOT_FOUND'],
    ])
    const none = await discoverModules({ configFile: join(dir, 'no.cnf') })
    expect(none).toEqual({ configFile: join(dir, 'no.cnf'), configFound: false, modules: [] })
  })
})
