/**
 * A stored finding (inventory row) as the renderer sees it: the code and parameters it words in the person's
 * language, the locations, and the English message for logs. Pure, so the IPC handler and tests share it.
 */
import type { FindingView } from '../../../common/contract'
import { isFindingCode, type FindingCode, type FindingParams } from '../../../common/findingCodes'
import type { Finding as StoredFinding } from '../inventory/types'

/** Detail keys that are not parameters of the sentence. */
const NOT_PARAMS = new Set(['code', 'message', 'locations'])

/**
 * The code from the stored detail; rows written before findings had codes fall back to their kind (every kind is
 * also the code of its usual case), and a kind from a newer Dojang to 'other'.
 */
function codeOf(f: StoredFinding): FindingCode {
  const code = f.detail.code
  if (isFindingCode(code)) return code
  return isFindingCode(f.kind) ? f.kind : 'other'
}

export function findingView(f: StoredFinding, certificateId: string | null): FindingView {
  const params: FindingParams = {}
  for (const [key, value] of Object.entries(f.detail)) {
    if (!NOT_PARAMS.has(key) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) params[key] = value
  }
  const locations = Array.isArray(f.detail.locations) ? f.detail.locations.filter((x): x is string => typeof x === 'string') : f.location ? [f.location] : []
  return {
    kind: f.kind,
    code: codeOf(f),
    params,
    severity: f.severity,
    certificateId,
    locations,
    message: typeof f.detail.message === 'string' ? f.detail.message : f.kind,
  }
}
