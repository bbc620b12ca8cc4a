import { ddayLabel } from '../../../common/format'
import { urgency } from '../model/certs'
import { useI18n } from '../i18n'

/** "D-12" style badge; colour follows urgency, and the words carry it too (colour alone is not enough). */
export function DdayBadge({ days }: { days: number }) {
  const { t } = useI18n()
  const u = urgency(days)
  let text: string
  let label: string
  if (Number.isNaN(days)) {
    text = '?'
    label = t('dday.unknown')
  } else if (u === 'expired') {
    text = t('dday.expired')
    label = t('dday.expiredLabel', { n: -days })
  } else {
    text = ddayLabel(days) ?? ''
    label = days === 0 ? t('dday.todayLabel') : t('dday.label', { n: days })
  }
  return (
    <span className={`badge badge-${u}`} title={label}>
      <span aria-hidden="true">{text}</span>
      <span className="sr-only">{label}</span>
    </span>
  )
}
