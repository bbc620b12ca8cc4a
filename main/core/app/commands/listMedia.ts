/** The media Dojang can reach now: destinations for copies and imports, and what 설정 shows. */
import type { MediumInfo } from '../../../../common/contract'
import type { Core } from '../core'

export function listMedia(core: Core): Promise<MediumInfo[]> {
  return core.stores.media()
}
