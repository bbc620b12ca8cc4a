/** The inventory database: see README.md in this folder for the schema and the decisions behind it. */
export { openInventory, type Inventory } from './inventory'
export { INVENTORY_FILE } from './open'
export { SCHEMA_VERSION } from './migrations'
export { SETTING_DEFAULTS, normalizeSerial } from './validate'
export { findSecretField, isSecretKeyName } from './secrets'
export * from './types'
export type * from './repositories'
