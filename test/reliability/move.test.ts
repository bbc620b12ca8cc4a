import { crashSuite } from './helpers/harness'

crashSuite('move')
