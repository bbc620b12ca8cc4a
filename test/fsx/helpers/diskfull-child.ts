// Runs inside `unshare -rm` with a tiny tmpfs mounted on argv[2]: fills it up, leaves k pages free for k = 0, 1, …,
// tries a two-file replacement each time and reports what happened (diskfull.test.ts judges it).
import { closeSync, ftruncateSync, fstatSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import path from 'node:path'
import { isDojangError } from '../../../common/errors'
import { recoverJournals, replaceFiles, snapshotDir } from '../../../main/core/fsx'

const PAGE = 4096
const mount = process.argv[2]!
const maxPages = Number(process.argv[3] ?? 16)

const fill = (byte: number, size: number): Uint8Array => new Uint8Array(size).fill(byte)

function fillUp(file: string, freePages: number): void {
  const fd = openSync(file, 'w')
  const chunk = new Uint8Array(PAGE)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e
  }
  const size = fstatSync(fd).size
  ftruncateSync(fd, Math.max(0, size - (size % PAGE) - freePages * PAGE))
  closeSync(fd)
}

async function main(): Promise<void> {
  const results = []
  for (let k = 0; k <= maxPages; k++) {
    for (const n of readdirSync(mount)) rmSync(path.join(mount, n), { recursive: true, force: true })
    const certDir = path.join(mount, 'npki', 'cert')
    const dataDir = path.join(mount, 'data')
    mkdirSync(certDir, { recursive: true })
    const sign = path.join(certDir, 'signPri.key')
    const km = path.join(certDir, 'kmPri.key')
    writeFileSync(sign, fill(1, 3000))
    writeFileSync(km, fill(2, 3000))
    fillUp(path.join(mount, 'filler'), k)
    const snap = async () => {
      const m = await snapshotDir(mount)
      m.delete('filler')
      return Object.fromEntries(m)
    }
    const before = await snap()
    const result: Record<string, unknown> = { k }
    try {
      await replaceFiles(dataDir, [
        { path: sign, data: fill(3, 3000) },
        { path: km, data: fill(4, 3000) },
      ])
      result.ok = true
    } catch (e) {
      result.code = isDojangError(e) ? e.code : String(e)
      result.message = e instanceof Error ? e.message : String(e)
      result.unchanged = JSON.stringify(await snap()) === JSON.stringify(before)
    }
    const first = (await snapshotDir(certDir)).get('signPri.key')
    const second = (await snapshotDir(certDir)).get('kmPri.key')
    result.files = [first, second]
    result.temps = readdirSync(certDir).filter((n) => n.endsWith('.tmp')).length
    // Recovery must work on the still-full disk.
    result.recovery = (await recoverJournals(dataDir)).map((r) => r.outcome)
    results.push(result)
  }
  process.stdout.write(JSON.stringify(results))
}

void main()
