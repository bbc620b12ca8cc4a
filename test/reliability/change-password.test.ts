import { crashSuite } from './helpers/harness'

crashSuite('change-password')
