import { spawnSync } from 'node:child_process'
import { chmodSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Finding, ScanResult } from '../../main/core/scan'
import { scratch, writeHong } from './helpers'

const NOBODY = '65534'
const canDropPrivileges = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0

describe.runIf(canDropPrivileges)('unreadable folders and files (real EACCES, scanned as an unprivileged user)', () => {
  it('records the locked folder and the locked key, and scans everything else', async () => {
    const dir = await scratch()
    chmodSync(dir, 0o755) // mkdtemp makes it private to root
    const root = join(dir, 'NPKI')
    const ok = writeHong(join(root, 'yessign', 'USER', 'cn=ok'))
    const noKey = writeHong(join(root, 'yessign', 'USER', 'cn=lockedkey'))
    writeHong(join(root, 'locked', 'USER', 'cn=hidden'))
    chmodSync(join(root, 'locked'), 0o000)
    chmodSync(join(noKey, 'signPri.key'), 0o000)

    const child = spawnSync(
      'setpriv',
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '--import', 'tsx', join(__dirname, 'child', 'scanAs.ts'), root],
      { cwd: join(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, HOME: dir }, timeout: 60_000 },
    )
    chmodSync(join(root, 'locked'), 0o755) // let the cleanup in
    expect(child.status, child.stderr).toBe(0)
    const { uid, result, findings } = JSON.parse(child.stdout) as { uid: number; result: ScanResult; findings: Finding[] }
    expect(uid).toBe(Number(NOBODY))

    expect(result.status).toBe('finished')
    expect(result.certificates.map((c) => c.location)).toEqual([noKey, ok])
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: join(root, 'locked'), code: 'PERMISSION_DENIED', errno: 'EACCES' }),
        expect.objectContaining({ path: join(noKey, 'signPri.key'), code: 'PERMISSION_DENIED', errno: 'EACCES' }),
      ]),
    )
    expect(result.problems).toHaveLength(2)
    const locked = result.certificates.find((c) => c.location === noKey)
    expect(locked?.files.signPri).toBe('signPri.key')
    expect(locked?.signKey).toBeUndefined()
    expect(locked?.certificate?.name).toBe('홍길동')
    expect(findings.filter((f) => f.kind === 'unreadable-key').map((f) => f.locations)).toEqual([[noKey]])
  })
})
