import { startCrashCa } from './helpers/cmpCa'
import { crashSuite } from './helpers/harness'

// Each run is two real CMP transactions (the issue in its setup, then the renewal): fewer sampled points.
crashSuite('renew', { errorSample: 24, killSample: 4, before: startCrashCa })
