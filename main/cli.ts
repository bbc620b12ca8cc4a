#!/usr/bin/env node
import { runCli } from './cli/run'

runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`dojang: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = 1
  },
)
