/** What to do with the selected rows (shown only while some are selected). */
import { useI18n } from '../../i18n'

export function SelectionBar({ count, onDelete, onClear, onPhone }: { count: number; onDelete: () => void; onClear: () => void; onPhone?: () => void }) {
  const { t } = useI18n()
  if (count === 0) return null
  return (
    <div className="selection-bar" role="region" aria-label={t('list.selectionLabel')}>
      <span>{t('list.selected', { n: count })}</span>
      {onPhone && (
        <button type="button" className="btn btn-small" onClick={onPhone} data-action="phone-selected">
          {t('phone.toPhoneSelected')}
        </button>
      )}
      <button type="button" className="btn btn-danger btn-small" onClick={onDelete} data-action="delete-selected">
        {t('action.delete')}
      </button>
      <button type="button" className="btn btn-ghost btn-small" onClick={onClear}>
        {t('list.clearSelection')}
      </button>
    </div>
  )
}
