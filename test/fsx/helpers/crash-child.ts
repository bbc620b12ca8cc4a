// Runs one replaceFiles in its own process and dies at the chosen step, as a power cut or kill would.
// Usage: node --import tsx crash-child.ts <dataDir> <plan.json> <afterBackup|…|none> <exit|sigkill>
import { readFileSync } from 'node:fs'
import { replaceFiles, type FaultPoint, type FileChange } from '../../../main/core/fsx'

const [dataDir, planFile, point, how] = process.argv.slice(2)
const plan = JSON.parse(readFileSync(planFile!, 'utf8')) as Array<{ path: string; data: string | null }>
const changes: FileChange[] = plan.map((p) => ({ path: p.path, data: p.data === null ? null : new Uint8Array(Buffer.from(p.data, 'base64')) }))

const die = (): void => {
  if (how === 'sigkill') process.kill(process.pid, 'SIGKILL')
  process.exit(137)
}

const faults = point === 'none' ? {} : { [point as FaultPoint]: die }
replaceFiles(dataDir!, changes, { reason: 'crash-test', faults }).then(
  ({ backupId }) => {
    process.stdout.write(JSON.stringify({ backupId }))
  },
  (e: unknown) => {
    process.stderr.write(String(e))
    process.exit(2)
  },
)
