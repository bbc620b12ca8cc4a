/**
 * Finding the PKCS#11 modules (보안토큰 구동프로그램) installed on this computer.
 *
 * Korean token drivers register themselves in a driver list file (KCAC.TS.HSMU appendix 4):
 * `%SystemRoot%\System32\npki_pkcs11.cnf` on Windows, `~/.npki_pkcs11.cnf` on macOS and Linux. Its exact layout
 * could not be confirmed (platform notes §4.1), so the reader is lenient: INI-style sections with `key=value` lines,
 * `key: value` lines and bare paths are all accepted, and every value that looks like a shared library path is a
 * candidate; a name-like key in the same section (name, description, info, company, …) names it. Module paths from
 * the settings and from the command line are added to the list.
 *
 * This module only reads files. Whether a file really is a PKCS#11 module is decided by loading it, which happens
 * in the token worker (moduleInfo), never in Dojang's own process.
 */
import { promises as fsp } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import iconv from 'iconv-lite'
import { DojangError } from '../../../../common/errors'

export type ModuleSource = 'npki_pkcs11.cnf' | 'settings' | 'argument'

export interface ModuleCandidate {
  path: string
  source: ModuleSource
  /** The driver's name as the list file gives it (section or name-like key). */
  name?: string
}

export interface ConfigEntry {
  path: string
  name?: string
  section?: string
}

export interface ModuleCheck extends ModuleCandidate {
  /** 'ok' when the file exists and is a shared library; otherwise the error a person sees. */
  status: 'ok' | { code: DojangError['code']; message: string }
}

export interface Discovery {
  configFile: string
  /** Whether the driver list file exists (no file is normal on a computer without token drivers). */
  configFound: boolean
  modules: ModuleCheck[]
}

/** Driver list files are tiny; anything bigger is not one. */
const MAX_CONFIG_BYTES = 256 * 1024
const NAME_KEYS = new Set(['name', 'description', 'desc', 'info', 'company', 'vendor', 'manufacturer', 'product', 'tokenname', 'label'])
const LIBRARY = /\.(dll|so(\.\d+)*|dylib)$/i

export function npkiConfigPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (platform === 'win32') {
    const root = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? env.WINDIR ?? 'C:\\Windows'
    return path.win32.join(root, 'System32', 'npki_pkcs11.cnf')
  }
  return path.posix.join(home, '.npki_pkcs11.cnf')
}

/** UTF-8, UTF-16 (with BOM) or CP949 (older Korean Windows installers write the ANSI code page). */
export function decodeConfig(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le')
  if (b[0] === 0xfe && b[1] === 0xff) return iconv.decode(b.subarray(2), 'utf16be')
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(b)
  if (!utf8.includes('\ufffd')) return utf8.replace(/^\ufeff/, '')
  return iconv.decode(b, 'cp949')
}

function unquote(s: string): string {
  const t = s.trim()
  return t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) ? t.slice(1, -1).trim() : t
}

/** `%SystemRoot%`-style (Windows) and `$HOME` / `~` (Unix) references in a path. */
export function expandPath(p: string, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const lookup = (name: string): string | undefined => env[name] ?? Object.entries(env).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1]
  let out = p.replace(/%([A-Za-z_][A-Za-z0-9_]*)%/g, (m, name: string) => lookup(name) ?? m)
  out = out.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, name: string) => lookup(name) ?? m)
  if (out === '~' || out.startsWith('~/')) out = home + out.slice(1)
  return out
}

function looksLikeLibrary(value: string): boolean {
  return LIBRARY.test(value) && (/[\\/]/.test(value) || !/\s/.test(value))
}

/** Every module path the list file names, in file order, without duplicates. Never throws on odd content. */
export function parseNpkiPkcs11Config(text: string, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): ConfigEntry[] {
  const out: ConfigEntry[] = []
  const names = new Map<string, string>()
  let section: string | undefined
  const sectionEntries: ConfigEntry[] = []
  const flush = (): void => {
    const name = section !== undefined ? names.get(section) : undefined
    for (const e of sectionEntries) {
      const n = name ?? section ?? e.name
      out.push({ path: e.path, ...(n ? { name: n } : {}), ...(section !== undefined ? { section } : {}) })
    }
    sectionEntries.length = 0
  }
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('//')) continue
    const head = /^\[(.*)\]$/.exec(line)
    if (head) {
      flush()
      section = head[1]!.trim()
      continue
    }
    const kv = /^([^=:\\/]+?)\s*[=:]\s*(.*)$/.exec(line)
    // A Windows path has a colon after the drive letter: `C:\...` is a bare path, not `C` = `\...`.
    const isDrivePath = /^[A-Za-z]:[\\/]/.test(line)
    if (kv && !isDrivePath) {
      const key = kv[1]!.trim()
      const value = unquote(kv[2]!)
      if (looksLikeLibrary(value)) sectionEntries.push({ path: expandPath(value, env, home), name: key })
      else if (NAME_KEYS.has(key.toLowerCase().replace(/[\s_-]/g, '')) && value && section !== undefined && !names.has(section)) names.set(section, value)
      continue
    }
    const bare = unquote(line)
    if (looksLikeLibrary(bare)) sectionEntries.push({ path: expandPath(bare, env, home) })
  }
  flush()
  const seen = new Set<string>()
  return out.filter((e) => {
    const k = e.path.toLowerCase()
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

const MAGICS: readonly number[][] = [
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0x4d, 0x5a], // MZ (Windows DLL)
  [0xfe, 0xed, 0xfa, 0xce],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xcf, 0xfa, 0xed, 0xfe], // Mach-O
  [0xca, 0xfe, 0xba, 0xbe], // Mach-O universal
]

/**
 * A quick check before a module is handed to the worker: the path exists and the file starts like a shared library.
 * NOT_FOUND for a missing path, TOKEN_MODULE_INVALID for anything that cannot be a library.
 */
export async function checkModuleFile(file: string): Promise<void> {
  if (typeof file !== 'string' || file.trim() === '') throw new DojangError('INVALID_INPUT', 'No token module path was given.')
  let st
  try {
    st = await fsp.stat(file)
  } catch {
    throw new DojangError('NOT_FOUND', `The token module ${file} does not exist. Install the token driver or correct the path.`, { reason: 'pkcs11-module-missing', module: file })
  }
  if (!st.isFile()) throw new DojangError('TOKEN_MODULE_INVALID', `${file} is a folder, not a PKCS#11 module.`, { module: file })
  const head = Buffer.alloc(4)
  let fh
  try {
    fh = await fsp.open(file, 'r')
    await fh.read(head, 0, 4, 0)
  } catch {
    throw new DojangError('PERMISSION_DENIED', `The token module ${file} cannot be read.`, { module: file })
  } finally {
    await fh?.close()
  }
  if (!MAGICS.some((m) => m.every((b, i) => head[i] === b))) {
    throw new DojangError('TOKEN_MODULE_INVALID', `${file} is not a PKCS#11 module (it is not a shared library).`, { module: file, reason: 'not-a-library' })
  }
}

export interface DiscoverOptions {
  /** Default: npkiConfigPath() of this computer. */
  configFile?: string
  /** Module paths from Dojang's settings. */
  settings?: readonly string[]
  /** Module paths given on the command line (`--module`). */
  args?: readonly string[]
  env?: NodeJS.ProcessEnv
  home?: string
}

/** The modules to try, each with the result of the quick file check: arguments first, then settings, then the list file. */
export async function discoverModules(opts: DiscoverOptions = {}): Promise<Discovery> {
  const env = opts.env ?? process.env
  const home = opts.home ?? homedir()
  const configFile = opts.configFile ?? npkiConfigPath(process.platform, env, home)
  const candidates: ModuleCandidate[] = []
  for (const p of opts.args ?? []) candidates.push({ path: expandPath(p, env, home), source: 'argument' })
  for (const p of opts.settings ?? []) candidates.push({ path: expandPath(p, env, home), source: 'settings' })
  let configFound = false
  try {
    const st = await fsp.stat(configFile)
    if (st.isFile() && st.size <= MAX_CONFIG_BYTES) {
      configFound = true
      for (const e of parseNpkiPkcs11Config(decodeConfig(await fsp.readFile(configFile)), env, home)) {
        candidates.push({ path: e.path, source: 'npki_pkcs11.cnf', ...(e.name ? { name: e.name } : {}) })
      }
    }
  } catch {
    // No list file (or an unreadable one): only the modules from settings and arguments.
  }
  const seen = new Set<string>()
  const modules: ModuleCheck[] = []
  for (const c of candidates) {
    const key = process.platform === 'win32' ? c.path.toLowerCase() : c.path
    if (seen.has(key)) continue
    seen.add(key)
    try {
      await checkModuleFile(c.path)
      modules.push({ ...c, status: 'ok' })
    } catch (e) {
      const err = e instanceof DojangError ? e : new DojangError('INTERNAL', String(e))
      modules.push({ ...c, status: { code: err.code, message: err.message } })
    }
  }
  return { configFile, configFound, modules }
}
