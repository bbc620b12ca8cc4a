/** One measured figure. Benchmarks report ratios against a reference measured in the same run. */
export interface BenchResult {
  name: string
  /** Dojang's figure divided by (or relative to) the reference, as documented by `note`. */
  ratio?: number
  target?: string
  /** Raw figures, with units in the key names (e.g. `dojangMBps`, `opensslMBps`). */
  figures: Record<string, number | string>
  note?: string
}

export interface Bench {
  name: string
  run(): Promise<BenchResult[]>
}
