/** Writes app.generated.ts (see bundle.ts for why the bundle is checked in). Run: npx tsx main/core/transfer/phone/generate.ts */
import { writeFileSync } from 'node:fs'
import { bundlePhoneScript, GENERATED_FILE, generatedModule } from './bundle'

bundlePhoneScript().then(
  (script) => {
    writeFileSync(GENERATED_FILE, generatedModule(script))
    console.log(`wrote ${GENERATED_FILE} (${script.length} characters of script)`)
  },
  (e: unknown) => {
    console.error(e)
    process.exitCode = 1
  },
)
