import { crashSuite } from './helpers/harness'

crashSuite('delete')
