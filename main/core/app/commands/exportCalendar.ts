/** The expiry dates as an .ics calendar with alarms at the reminder days. */
import { writeFileAtomic } from '../../fsx'
import { expiryCalendar } from '../calendar'
import type { Core } from '../core'

export async function exportCalendar(core: Core, input: { out: string }): Promise<{ path: string }> {
  const settings = core.inventory.getSettings()
  const certs = core.inventory.listCertificates({ now: core.now() })
  await writeFileAtomic(input.out, new TextEncoder().encode(expiryCalendar(certs, settings.notifyDays, core.now())))
  return { path: input.out }
}
