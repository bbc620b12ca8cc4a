// Runs file operations as an unprivileged user (started through setpriv by permissions.test.ts, since root ignores
// permission bits) and prints what each one threw.
// Usage: node --import tsx perm-child.ts <cases.json>
import { readFileSync } from 'node:fs'
import { isDojangError } from '../../../common/errors'
import { readFileSafe, recoverJournals, replaceFiles, writeFileAtomic } from '../../../main/core/fsx'

interface Case {
  name: string
  op: 'replace' | 'atomic' | 'read' | 'recover'
  dataDir: string
  paths: string[]
}

async function run(c: Case): Promise<unknown> {
  const data = new TextEncoder().encode(`new bytes for ${c.name}`)
  switch (c.op) {
    case 'replace':
      return replaceFiles(
        c.dataDir,
        c.paths.map((p) => ({ path: p, data })),
        { reason: 'permission-test' },
      )
    case 'atomic':
      return writeFileAtomic(c.paths[0]!, data)
    case 'read':
      return readFileSafe(c.paths[0]!)
    case 'recover':
      return recoverJournals(c.dataDir)
  }
}

async function main(): Promise<void> {
  const cases = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Case[]
  const out: Record<string, unknown> = { uid: process.getuid?.() }
  for (const c of cases) {
    try {
      await run(c)
      out[c.name] = { ok: true }
    } catch (e) {
      out[c.name] = isDojangError(e) ? { code: e.code, message: e.message, details: e.details } : { thrown: String(e) }
    }
  }
  process.stdout.write(JSON.stringify(out))
}

void main()
