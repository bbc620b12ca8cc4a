// Run by permissions.test.ts as an unprivileged user (setpriv): scans the NPKI root given as argument and prints the
// result and its findings as JSON. Root ignores file permissions, so a real EACCES needs another user.
import { computeFindings, scanNpkiRoots } from '../../../main/core/scan'

async function main(): Promise<void> {
  const root = process.argv[2]
  if (!root) throw new Error('usage: scanAs.ts <NPKI root>')
  const result = await scanNpkiRoots([root])
  process.stdout.write(JSON.stringify({ uid: process.getuid?.(), result, findings: computeFindings(result) }))
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
