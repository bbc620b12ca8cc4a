// Runs one file-changing command of the crash harness in its own process and kills itself (SIGKILL) at the n-th
// fault point, as a power cut or a killed app would. Usage: node --import tsx op-child.ts <worldDir> <operation> <n>
import { setFaultProbe } from '../../../main/core/fsx'
import { coreOf, loadWorld, operation } from './world'

const [dir, name, at] = process.argv.slice(2)
const killAt = Number(at)
const w = loadWorld(dir!)
let n = 0
const main = async (): Promise<void> => {
  const core = await coreOf(w)
  setFaultProbe(() => {
    if (n++ === killAt) process.kill(process.pid, 'SIGKILL')
  })
  try {
    await operation(name!).run(core, w)
    process.stdout.write(JSON.stringify({ reached: n }))
  } catch (e) {
    process.stdout.write(JSON.stringify({ reached: n, error: String(e) }))
  }
}
void main()
