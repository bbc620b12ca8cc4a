/** The scanner: walking roots, progress, cancellation, the parse cache and hygiene findings. */
export { scan, scanNpkiRoots, deepScan, DEFAULTS as SCAN_DEFAULTS } from './scanner'
export { MemoryScanCache, asCachedFile, CACHE_FORMAT, type CachedFile, type ScanCache } from './cache'
export { inventoryScanCache, toInventoryRecords, toInventoryFindings, type InventoryCachePort } from './inventoryRecords'
export { DEFAULT_DEEP_SKIP } from './names'
export { nodeScanFs } from './walk'
export {
  computeFindings, groupCopies, duplicateFindings, expiryFindings, fileFindings, suspiciousFileFindings, placementFindings,
  relatedStoreFindings, daysLeft, type Finding, type FindingKind, type FindingSeverity, type FindingCertificate, type FindingOptions,
  type FindingsInput,
} from './findings'
export type * from './types'
export { acquireScanLock, withScanLock, SCAN_LOCK_NAME } from './scanLock'
