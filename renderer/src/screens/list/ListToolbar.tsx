/** Search, the expired / expiring filters and the number of rows shown. */
import { useI18n } from '../../i18n'

interface Props {
  search: string
  onSearch: (s: string) => void
  expired: boolean
  onExpired: () => void
  expiring: boolean
  onExpiring: () => void
  count: number
}

export function ListToolbar({ search, onSearch, expired, onExpired, expiring, onExpiring, count }: Props) {
  const { t } = useI18n()
  return (
    <div className="toolbar">
      <input
        type="search"
        className="search"
        placeholder={t('list.searchPlaceholder')}
        aria-label={t('list.searchLabel')}
        value={search}
        onChange={(e) => onSearch(e.target.value)}
        data-input="search"
      />
      <button type="button" className="chip" aria-pressed={expired} onClick={onExpired} data-filter="expired">
        {t('list.filter.expired')}
      </button>
      <button type="button" className="chip" aria-pressed={expiring} onClick={onExpiring} data-filter="expiring">
        {t('list.filter.expiring')}
      </button>
      <span className="toolbar-spacer" />
      <span className="result-count" aria-live="polite" data-count={count}>
        {t('list.count', { n: count })}
      </span>
    </div>
  )
}
