import { crashSuite } from './helpers/harness'

crashSuite('restore-from-trash')
