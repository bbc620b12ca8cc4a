/**
 * The CLI's input and output, injectable so tests drive the real commands in-process.
 * Secrets are read from stdin (--password-stdin) or a terminal prompt with echo off; never from arguments.
 */
import type { Readable, Writable } from 'node:stream'
import { DojangError } from '../../common/errors'

export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown }
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
}

/** Reads stdin one line at a time, on demand, so several secrets can follow each other. */
export class LineReader {
  private buffered = ''
  private ended = false
  private waiters: (() => void)[] = []

  constructor(private readonly input: Readable) {
    input.setEncoding('utf8')
    input.on('data', (chunk: string) => {
      this.buffered += chunk
      this.wake()
    })
    input.on('end', () => {
      this.ended = true
      this.wake()
    })
    input.on('error', () => {
      this.ended = true
      this.wake()
    })
  }

  private wake(): void {
    const ws = this.waiters
    this.waiters = []
    for (const w of ws) w()
  }

  async next(): Promise<string | null> {
    for (;;) {
      const nl = this.buffered.indexOf('\n')
      if (nl >= 0) {
        const line = this.buffered.slice(0, nl).replace(/\r$/, '')
        this.buffered = this.buffered.slice(nl + 1)
        return line
      }
      if (this.ended) {
        if (this.buffered.length === 0) return null
        const line = this.buffered.replace(/\r$/, '')
        this.buffered = ''
        return line
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  close(): void {
    this.input.pause()
    this.input.removeAllListeners('data')
    this.input.destroy()
  }
}

export interface SecretSource {
  /** Reads one secret; `label` names it in prompts and errors, never its value. */
  read(label: string): Promise<string>
  close(): void
}

export function stdinSecrets(io: CliIo): SecretSource {
  const lines = new LineReader(io.stdin)
  return {
    async read(label) {
      const line = await lines.next()
      if (line === null) throw new DojangError('INVALID_INPUT', `Expected the ${label} on its own line of standard input`)
      // An empty line is a password that was left out, not a line that went missing.
      if (line.length === 0) throw new DojangError('INVALID_INPUT', `The ${label} is empty (an empty line on standard input)`)
      return line
    },
    close: () => lines.close(),
  }
}

/** A terminal prompt with echo off. */
export function ttySecrets(io: CliIo): SecretSource {
  return {
    read(label) {
      return new Promise((resolve, reject) => {
        const { stdin, stderr } = io
        stderr.write(`${label}: `)
        stdin.setRawMode?.(true)
        stdin.setEncoding('utf8')
        let value = ''
        const done = (err?: Error) => {
          stdin.setRawMode?.(false)
          stdin.removeListener('data', onData)
          stdin.pause()
          stderr.write('\n')
          if (err) reject(err)
          else resolve(value)
        }
        const onData = (chunk: string) => {
          for (const ch of chunk) {
            if (ch === '\r' || ch === '\n') return done(value ? undefined : new DojangError('INVALID_INPUT', `No ${label} entered`))
            if (ch === '\u0003') return done(new DojangError('CANCELLED', 'Cancelled'))
            if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
            else value += ch
          }
        }
        stdin.on('data', onData)
        stdin.resume()
      })
    },
    close() {},
  }
}
