/**
 * Growing delays after repeated wrong passwords in the app, so that Dojang cannot be used as a convenient
 * brute-force tool (npki-format.md §6.2). Checking is offline, so this protects nothing on the disk by itself; it
 * only refuses to make guessing fast. Counted per copy; a right password resets the count.
 */
export interface AttemptLimiterOptions {
  /** Wrong answers allowed without delay. */
  freeAttempts?: number
  /** Delay after the first counted failure, doubled each time, capped at maxDelayMs. */
  baseDelayMs?: number
  maxDelayMs?: number
  sleep?: (ms: number) => Promise<void>
}

export class AttemptLimiter {
  private readonly failures = new Map<string, number>()
  private readonly free: number
  private readonly base: number
  private readonly max: number
  private readonly sleep: (ms: number) => Promise<void>

  constructor(opts: AttemptLimiterOptions = {}) {
    this.free = opts.freeAttempts ?? 5
    this.base = opts.baseDelayMs ?? 1000
    this.max = opts.maxDelayMs ?? 30_000
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)))
  }

  /** The wait before the next attempt on `key` is answered. */
  delayFor(key: string): number {
    const n = (this.failures.get(key) ?? 0) - this.free
    return n < 0 ? 0 : Math.min(this.max, this.base * 2 ** n)
  }

  /** Runs one password attempt: waits if earlier attempts failed, and counts the outcome. */
  async attempt<T>(key: string, run: () => Promise<T>, isWrongPassword: (e: unknown) => boolean): Promise<T> {
    const wait = this.delayFor(key)
    if (wait > 0) await this.sleep(wait)
    try {
      const value = await run()
      this.failures.delete(key)
      return value
    } catch (e) {
      if (isWrongPassword(e)) this.failures.set(key, (this.failures.get(key) ?? 0) + 1)
      throw e
    }
  }
}
