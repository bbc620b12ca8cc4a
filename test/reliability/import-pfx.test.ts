import { crashSuite } from './helpers/harness'

crashSuite('import-pfx')
