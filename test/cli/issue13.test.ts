/**
 * Issue 13 (CLI side): one truth per fact in text output, where each copy was last seen, scan roots that do not
 * exist, messages that say what to do, PFX passwords under the KISA rules, --version, and a README that matches
 * --help. Each test failed before its fix.
 */
import { existsSync } from 'node:fs'
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EXIT } from '../../main/cli/exitCodes'
import { dojang } from '../support/cli'
import { copyHongFolder, FIXTURE_PASSWORD, tempDir } from '../support/fixtures'

const PFX_PASSWORD = 'Pfx-Pa55word!'

let tmp: { dir: string; cleanup: () => Promise<void> }
let folder: string
let root: string
let env: NodeJS.ProcessEnv
beforeEach(async () => {
  tmp = await tempDir()
  folder = await copyHongFolder(tmp.dir)
  root = join(tmp.dir, 'NPKI')
  env = { DOJANG_DATA_DIR: join(tmp.dir, 'data'), DBUS_SESSION_BUS_ADDRESS: '', HOME: join(tmp.dir, 'home') }
  await mkdir(join(tmp.dir, 'home'))
})
afterEach(() => tmp.cleanup())

describe('item 5: a serial, an issuer and a date read the same as in the app', () => {
  it('info prints the normalized serial, the issuer name and Korean calendar dates; --json keeps ISO 8601 with +09:00', () => {
    const r = dojang(['info', folder], { env })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/일련번호 Serial\s+3e9\n/)
    // The fixture's validity starts 2025-01-01T00:00Z, which is 1 January in Korea too, and ends 2044-12-27.
    expect(r.stdout).toContain('2025년 1월 1일 ~ 2044년 12월 27일')
    expect(r.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/)
    const json = JSON.parse(dojang(['info', folder, '--json'], { env }).stdout)
    expect(json.certificate.notAfter).toBe('2044-12-27T09:00:00+09:00')
    expect(json.certificate.serial).toBe('3e9')
  })

  it('list text and info agree on serial and issuer; list --json and report --csv keep ISO dates with the offset', () => {
    const info = dojang(['info', folder], { env }).stdout
    const issuer = /발급기관 Issuer\s+(.+?) —/.exec(info)![1]!
    const list = dojang(['list', '--root', root], { env })
    expect(list.status, list.stderr).toBe(0)
    expect(list.stdout).toContain(issuer)
    expect(list.stdout).toContain('일련번호 3e9')
    expect(list.stdout).toContain('2044년 12월 27일')
    const rows = JSON.parse(dojang(['list', '--root', root, '--json'], { env }).stdout)
    expect(rows[0].notAfter).toBe('2044-12-27T09:00:00+09:00')
    const csv = dojang(['report', '--root', root, '--csv'], { env }).stdout
    expect(csv).toContain('"2044-12-27T09:00:00+09:00"')
  })

  it('trash shows the serial as everywhere else and the deletion time without raw ISO', () => {
    expect(dojang(['delete', folder, '--root', root], { env }).status).toBe(0)
    const r = dojang(['trash'], { env })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain('일련번호 3e9')
    expect(r.stdout).not.toContain('03e9')
    expect(r.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d/)
    const json = JSON.parse(dojang(['trash', '--json'], { env }).stdout)
    expect(json[0].serial).toBe('3e9')
    expect(json[0].deletedAt).toMatch(/\+09:00$/)
  })

  it('error messages are escaped like every other text output', () => {
    const r = dojang(['info', join(tmp.dir, 'evil\u001b[31mname')], { env })
    expect(r.status).not.toBe(0)
    expect(r.stderr).not.toContain('\u001b')
    expect(r.stderr).toContain('\\x1b')
  })
})

describe('item 6: where each copy was last seen; list shows the default media; stale copies are marked', () => {
  it('list without --root leaves out a copy remembered from an earlier --root scan and marks a copy gone from the default media', async () => {
    // The same certificate in an old --root folder and in the default NPKI folder of this (test) home.
    const home = join(tmp.dir, 'home', 'NPKI')
    await cp(root, home, { recursive: true })
    const homeFolder = folder.replace(root, home)
    expect(dojang(['list', '--root', root], { env }).status).toBe(0)

    const first = dojang(['list', '--json', '--no-keychain'], { env })
    expect(first.status, first.stderr).toBe(0)
    const rows = JSON.parse(first.stdout)
    expect(rows).toHaveLength(1)
    expect(rows[0].copies.map((c: { location: string }) => c.location)).toEqual([homeFolder])
    expect(rows[0].copies[0]).toMatchObject({ root: home, stale: false, missingSince: null })
    expect(rows[0].copies[0].lastSeen).toMatch(/\+09:00$/)

    await rm(homeFolder, { recursive: true })
    const gone = dojang(['list', '--json', '--no-keychain'], { env })
    const goneRows = JSON.parse(gone.stdout)
    expect(goneRows).toHaveLength(1)
    expect(goneRows[0].copies).toEqual([expect.objectContaining({ location: homeFolder, stale: true, missingSince: expect.stringMatching(/\+09:00$/) })])
    const text = dojang(['list', '--no-keychain'], { env })
    expect(text.stdout).toMatch(/\[stale: missing since \d{4}년 \d+월 \d+일; last seen \d{4}년/)
    // expiring and report count only copies that are there.
    expect(JSON.parse(dojang(['report', '--no-keychain'], { env }).stdout).copies).toEqual([])
  })
})

describe('item 7: scan roots that do not exist', () => {
  it('--root and --deep naming a missing folder, and --root naming a file, are usage errors that name the path', async () => {
    const missing = join(tmp.dir, 'missing')
    for (const args of [['scan', '--root', missing], ['scan', '--deep', missing], ['list', '--root', missing, '--json']]) {
      const r = dojang(args, { env })
      expect(r.status, args.join(' ')).toBe(EXIT.USAGE)
      expect(r.stderr).toContain(missing)
      expect(r.stderr).toMatch(/does not exist/)
      expect(r.stdout).toBe('')
    }
    const file = join(tmp.dir, 'file.txt')
    await writeFile(file, 'x')
    const r = dojang(['scan', '--root', file], { env })
    expect(r.status).toBe(EXIT.USAGE)
    expect(r.stderr).toContain(`${file}: this is a file, not a folder`)
  })

  it('text output names every finding with its location, PFX files included', async () => {
    await mkdir(join(tmp.dir, 'deep'))
    await writeFile(join(tmp.dir, 'deep', 'backup.pfx'), 'not really a pfx')
    const r = dojang(['scan', '--root', root, '--deep', join(tmp.dir, 'deep')], { env })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/\[info\] .*: .*backup\.pfx/)
  })
})

describe('item 10: messages that say what to do', () => {
  it('a conflict speaks of --overwrite', async () => {
    const other = join(tmp.dir, 'other', 'NPKI')
    await mkdir(other, { recursive: true })
    expect(dojang(['copy', folder, '--to', other, '--root', root], { env }).status).toBe(0)
    const r = dojang(['copy', folder, '--to', other, '--root', root], { env })
    expect(r.status).toBe(EXIT.CONFLICT)
    expect(r.stderr).toContain('--overwrite')
  })

  it('import-pfx with a weak password lists the rules in words and mentions --allow-weak', async () => {
    const pfx = join(tmp.dir, 'x.pfx')
    expect(dojang(['export-pfx', folder, '--out', pfx, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n${PFX_PASSWORD}\n`, env }).status).toBe(0)
    const dest = join(tmp.dir, 'dest', 'NPKI')
    await mkdir(dest, { recursive: true })
    const r = dojang(['import-pfx', pfx, '--to', dest, '--password-stdin'], { input: `${PFX_PASSWORD}\nshort\n`, env })
    expect(r.status).toBe(EXIT.WEAK_PASSWORD)
    expect(r.stderr).toContain('--allow-weak')
    expect(r.stderr).toContain('at least 10 characters')
    expect(r.stderr).not.toMatch(/minLength/)
  })

  it('an empty password line says the password is empty', () => {
    const r = dojang(['check-password', folder, '--password-stdin'], { input: '\n', env })
    expect(r.status).toBe(EXIT.USAGE)
    expect(r.stderr).toMatch(/certificate password is empty/)
  })

  it('info on a file says it is a file, not a certificate folder', () => {
    const r = dojang(['info', join(folder, 'signCert.der')], { env })
    expect(r.status).toBe(EXIT.USAGE)
    expect(r.stderr).toMatch(/is a file, not a certificate folder/)
    expect(r.stderr).not.toMatch(/ENOTDIR/)
  })

  it('export-pfx to a missing folder names the folder, before asking for passwords', () => {
    const missing = join(tmp.dir, 'missing')
    const r = dojang(['export-pfx', folder, '--out', join(missing, 'x.pfx'), '--password-stdin'], { input: '', env })
    expect(r.status).toBe(EXIT.NOT_FOUND)
    expect(r.stderr).toContain(`The folder ${missing} does not exist`)
  })

  it('expiring with nothing found says so on stderr and keeps stdout empty', () => {
    const r = dojang(['expiring', '--root', root, '--days', '30'], { env })
    expect(r.status).toBe(EXIT.OK)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/No certificate expires within 30 days/)
  })

  it('progress counts 1 folder, not "1 folders"', async () => {
    const one = join(tmp.dir, 'one')
    await mkdir(one)
    const r = dojang(['scan', '--root', one], { env })
    expect(r.stderr).toMatch(/scanning: 1 folder, 0 certificates, 0 problems — done/)
    expect(r.stderr).not.toMatch(/\b1 folders\b/)
  })

  it('--version and -V print the version from package.json', async () => {
    const { version } = JSON.parse(await readFile(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
    for (const flag of ['--version', '-V']) {
      const r = dojang([flag])
      expect(r.status).toBe(0)
      expect(r.stdout.trim()).toBe(`dojang ${version}`)
    }
  })
})

describe('item 11: a PFX password follows the KISA rules', () => {
  it('export-pfx refuses the PFX password "1" (exit 8, nothing written) unless --allow-weak', () => {
    const pfx = join(tmp.dir, 'weak.pfx')
    const r = dojang(['export-pfx', folder, '--out', pfx, '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n1\n`, env })
    expect(r.status).toBe(EXIT.WEAK_PASSWORD)
    expect(r.stderr).toContain('PFX password does not meet the KISA password rules')
    expect(r.stderr).toContain('--allow-weak')
    expect(existsSync(pfx)).toBe(false)
    const forced = dojang(['export-pfx', folder, '--out', pfx, '--allow-weak', '--password-stdin'], { input: `${FIXTURE_PASSWORD}\n1\n`, env })
    expect(forced.status, forced.stderr).toBe(0)
    expect(existsSync(pfx)).toBe(true)
  })
})

describe('done when: the README lists what --help lists', () => {
  it('every verb and flag of dojang --help appears in the README', async () => {
    const help = dojang(['--help']).stdout
    const readme = await readFile(join(__dirname, '..', '..', 'README.md'), 'utf8')
    const usage = help.slice(help.indexOf('Usage:'), help.indexOf('\n\n', help.indexOf('Usage:')))
    const verbs = [...usage.matchAll(/^ {2}dojang ([a-z][a-z-]*)/gm)].map((m) => m[1]!)
    const flags = [...new Set([...help.matchAll(/(?<![\w-])(--[a-z][a-z-]*|-V)\b/g)].map((m) => m[1]!))]
    expect(verbs.length).toBeGreaterThan(10)
    expect(flags).toContain('--overwrite')
    const cliSection = readme.slice(readme.indexOf('## Command line'), readme.indexOf('## Layout'))
    for (const v of verbs) expect(cliSection, `verb ${v}`).toMatch(new RegExp(`dojang ${v}\\b`))
    for (const f of flags) expect(cliSection, `flag ${f}`).toContain(f)
  })
})
