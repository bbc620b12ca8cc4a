/* eslint-disable no-control-regex -- these tests look for raw control characters in output */
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { csvCell, csvLine, terminalSafe } from '../../main/cli/textSafe'
import { dojang } from '../support/cli'
import { copyHongFolder, tempDir } from '../support/fixtures'

describe('terminalSafe', () => {
  it('makes C0, DEL, C1, ESC sequences, bidi overrides and line separators visible', () => {
    expect(terminalSafe('a\x1b[31mred\x1b[0m')).toBe('a\\x1b[31mred\\x1b[0m')
    expect(terminalSafe('line\nforged\r')).toBe('line\\x0aforged\\x0d')
    expect(terminalSafe('tab\tdel\x7f c1\x9b')).toBe('tab\\x09del\\x7f c1\\x9b')
    expect(terminalSafe('file\u202Egpj.exe')).toBe('file\\u202egpj.exe')
    expect(terminalSafe('\u2066x\u2069 \u200f \u2028')).toBe('\\u2066x\\u2069 \\u200f \\u2028')
    expect(terminalSafe(null)).toBe('')
  })
  it('leaves Hangul, spaces, Windows paths and ordinary punctuation alone', () => {
    const s = 'cn=홍길동()0012345678901234,ou=TESTBANK,o=yessign,c=kr C:\\Users\\홍 길동\\NPKI'
    expect(terminalSafe(s)).toBe(s)
  })
})

describe('csvCell (RFC 4180 with a formula guard)', () => {
  it('quotes text and doubles quotes', () => {
    expect(csvCell('a"b,c')).toBe('"a""b,c"')
    expect(csvCell('')).toBe('""')
    expect(csvCell(undefined)).toBe('""')
  })
  it('neutralises text that a spreadsheet would evaluate', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"')
    for (const s of ['+1', '-1+2', '@SUM(A1)']) expect(csvCell(s)).toBe(`"'${s}"`)
    // Tab and CR at the start are escaped to visible text, which no longer starts a formula either.
    expect(csvCell('\t=1')).toBe('"\\x09=1"')
  })
  it('leaves numbers as numbers, negative ones included (issue 13 item 9)', () => {
    expect(csvCell(-2444)).toBe('-2444')
    expect(csvCell(0)).toBe('0')
    expect(csvCell(12.5)).toBe('12.5')
    expect(csvCell(true)).toBe('true')
    // Not finite: written as text.
    expect(csvCell(Number.NaN)).toBe('"NaN"')
  })
  it('one line per record even when a value holds a newline or ESC', () => {
    const line = csvLine(['x\ny', 'a\x1b[2Jb', -3])
    expect(line).toBe('"x\\x0ay","a\\x1b[2Jb",-3')
    expect(line).not.toMatch(/[\n\x1b]/)
  })
})

describe('dojang scan/report with hostile folder names (issue 11 defect 5)', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> }
  let env: NodeJS.ProcessEnv
  const evil = 'cn=홍길동\x1b[31m\nINJECTED,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'
  beforeEach(async () => {
    tmp = await tempDir()
    await copyHongFolder(tmp.dir, evil)
    env = { DOJANG_DATA_DIR: join(tmp.dir, 'data'), DBUS_SESSION_BUS_ADDRESS: '' }
  })
  afterEach(() => tmp.cleanup())

  it('text output prints no raw control characters and lists the findings with their location', async () => {
    await writeFile(join(tmp.dir, 'NPKI', 'testsign', 'USER', evil, '보안카드\x1b[2J.jpg'), 'not a picture')
    const r = dojang(['scan', '--root', join(tmp.dir, 'NPKI')], { env })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout + r.stderr).not.toMatch(/\x1b/)
    expect(r.stdout).toContain('\\x1b[31m\\x0aINJECTED')
    expect(r.stdout.trim().split('\n')).toHaveLength(2) // the certificate and its one copy
    // The finding about the stray file names where it is.
    expect(r.stderr).toMatch(/\[(warning|critical|info)\][^\n]*: [^\n]*INJECTED/)
  })

  it('text output lists scan problems with their path', async () => {
    // A link to a folder is not followed and is reported (a --root that is a file is now a usage error, issue 13).
    const link = join(tmp.dir, 'NPKI', 'link')
    await symlink(tmp.dir, link)
    const r = dojang(['scan', '--root', join(tmp.dir, 'NPKI')], { env })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toContain(`[problem] ${link}: `)
  })

  it('report --csv stays one row per copy, quoted, with daysLeft a number', async () => {
    await mkdir(join(tmp.dir, 'data'), { recursive: true })
    const r = dojang(['report', '--root', join(tmp.dir, 'NPKI'), '--csv'], { env })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).not.toMatch(/\x1b/)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    const header = lines[0]!.split(',')
    expect(lines[1]).toContain('INJECTED')
    // daysLeft is bare digits (possibly negative), never a quoted or apostrophe-prefixed string.
    expect(lines[1]).toMatch(/,-?\d+,"(valid|expiring|expired)",/)
    expect(header.indexOf('daysLeft')).toBe(4)
  })
})
