/**
 * Issue 13 item 12: `engines` and the README tell the truth about Node versions. Checked against the lockfile, so
 * a dependency upgrade that changes which Node warns breaks this test instead of surprising a newcomer.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// npm's own range semantics (semver comes with the toolchain; no types are installed, so only what is used is typed).
const semver = createRequire(__filename)('semver') as { satisfies(version: string, range: string): boolean }

const ROOT = join(__dirname, '..', '..')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean; optional?: boolean; engines?: unknown }>
}
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** The installed packages (not optional platform binaries) whose `engines.node` refuses `version`. */
function refusing(version: string): { name: string; dev: boolean }[] {
  const out: { name: string; dev: boolean }[] = []
  for (const [path, p] of Object.entries(lock.packages)) {
    if (!path || p.optional) continue
    const range = typeof p.engines === 'object' && p.engines !== null ? (p.engines as { node?: unknown }).node : undefined
    if (typeof range !== 'string') continue
    if (!semver.satisfies(version, range)) out.push({ name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), dev: p.dev === true })
  }
  return out
}

describe('Node versions', () => {
  it('the recommended Node (22.13) installs without an engine warning', () => {
    expect(refusing('22.13.0')).toEqual([])
    expect(readme).toContain('Node.js **22.13 or newer**')
  })

  it('engines accepts exactly the versions every runtime dependency accepts (20.19+ on 20, 22.12+)', () => {
    for (const v of ['20.19.0', '22.12.0', '24.0.0']) {
      expect(semver.satisfies(v, pkg.engines.node), v).toBe(true)
      expect(refusing(v).filter((p) => !p.dev), v).toEqual([])
    }
    for (const v of ['20.18.0', '22.11.0']) expect(semver.satisfies(v, pkg.engines.node), v).toBe(false)
  })

  it('on Node 20.19 only dev tooling warns, and the README names each of those packages', () => {
    const warned = refusing('20.19.0')
    expect(warned.every((p) => p.dev)).toBe(true)
    for (const p of warned) expect(readme, p.name).toContain(`\`${p.name}\``)
    expect(readme).toContain(`${warned.length === 5 ? 'five' : String(warned.length)} \`npm warn EBADENGINE\``)
    expect(readme).toContain(pkg.engines.node)
  })
})
