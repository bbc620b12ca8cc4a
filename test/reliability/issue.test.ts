import { startCrashCa } from './helpers/cmpCa'
import { crashSuite } from './helpers/harness'

// Each run is a real CMP transaction (key pair, OpenSSL's mock): fewer sampled points than the file-only commands.
crashSuite('issue', { errorSample: 24, killSample: 4, before: startCrashCa })
