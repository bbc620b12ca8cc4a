/**
 * `npm run fuzz -- --count N --seed S [--target NAME]...`: a long seeded run of every fuzz target (N inputs each),
 * printing the counts per target and every finding with what regenerates it. Exit 1 when something was found.
 */
import { parseArgs } from 'node:util'
import { runFuzz } from './engine'

const { values } = parseArgs({
  options: { count: { type: 'string', default: '10000' }, seed: { type: 'string' }, target: { type: 'string', multiple: true } },
})
const count = Number(values.count)
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- --count N --seed S [--target NAME]...')
  process.exit(2)
}
console.error(`fuzz: seed ${seed}, ${count} inputs per target`)
const report = runFuzz({ seed, count, ...(values.target ? { only: values.target } : {}), onProgress: (name, done) => console.error(`  ${name}: ${done}`) })
for (const [name, s] of Object.entries(report.targets)) {
  const errors = Object.entries(s.errors).map(([c, n]) => `${c} ${n}`).join(', ')
  console.log(`${name.padEnd(20)} ${String(s.inputs).padStart(8)} inputs  ok ${s.ok}  ${errors}  slowest ${s.slowestMs.toFixed(0)} ms (#${s.slowestIndex})`)
}
console.log(`total ${report.inputs} inputs, ${report.findings.length} findings (seed ${seed})`)
for (const f of report.findings) console.log(`\n[${f.kind}] ${f.target} #${f.index} (${f.inputLength} bytes, starts ${f.inputHead})\n${f.error}`)
process.exit(report.findings.length > 0 ? 1 : 0)
