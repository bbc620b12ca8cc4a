/** Nothing found yet: where certificates usually are on each system, and the two ways to get one into the list. */
import { useI18n } from '../../i18n'

export function EmptyInventory({ scanning, onRescan, onImport }: { scanning: boolean; onRescan: () => void; onImport: () => void }) {
  const { t } = useI18n()
  return (
    <div className="empty" data-empty="inventory">
      <h2>{t('empty.title')}</h2>
      <p>{t('empty.intro')}</p>
      <dl className="empty-places">
        <dt>{t('empty.diskTitle')}</dt>
        <dd>
          <ul translate="no">
            <li>
              Windows: <code>C:\Users\{t('empty.userPlaceholder')}\AppData\LocalLow\NPKI</code>
            </li>
            <li>
              macOS: <code>~/Library/Preferences/NPKI</code>
            </li>
            <li>
              Linux: <code>~/NPKI</code>
            </li>
          </ul>
        </dd>
        <dt>{t('empty.usbTitle')}</dt>
        <dd>
          {t('empty.usbText')} <code translate="no">E:\NPKI</code>
        </dd>
      </dl>
      <p>{t('empty.pfx')}</p>
      <div className="empty-actions">
        <button type="button" className="btn btn-primary" onClick={onRescan} disabled={scanning} data-action="empty-scan">
          {t('empty.scan')}
        </button>
        <button type="button" className="btn" onClick={onImport} data-action="empty-import">
          {t('empty.import')}
        </button>
      </div>
    </div>
  )
}
