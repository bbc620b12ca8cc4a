// `npm run bench`: runs every benchmark and prints its ratios. Pass names to run only some (`npm run bench -- seed`).
import type { Bench, BenchResult } from './types'

const benches: Record<string, () => Promise<{ default: Bench }>> = {
  seed: () => import('./seed.bench'),
  scan: () => import('./scan.bench'),
  list: () => import('./list.bench'),
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2)
  const all: BenchResult[] = []
  for (const [name, load] of Object.entries(benches)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue
    const bench = (await load()).default
    process.stderr.write(`running ${bench.name}…\n`)
    const results = await bench.run()
    for (const r of results) {
      all.push(r)
      const ratio = r.ratio === undefined ? '' : ` ratio=${r.ratio.toFixed(3)}`
      const target = r.target ? ` (target ${r.target})` : ''
      console.log(`${r.name}:${ratio}${target}`)
      for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k}: ${typeof v === 'number' ? Number(v.toFixed(3)) : v}`)
      if (r.note) console.log(`  note: ${r.note}`)
    }
  }
  if (process.env.BENCH_JSON) {
    const { writeFileSync } = await import('node:fs')
    writeFileSync(process.env.BENCH_JSON, JSON.stringify(all, null, 2))
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
