import { crashSuite } from './helpers/harness'

crashSuite('copy')
