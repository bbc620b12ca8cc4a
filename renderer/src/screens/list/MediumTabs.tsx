/**
 * One tab per medium with its count (the ARIA tabs pattern: arrow keys move between tabs). While a scan runs, each
 * medium's count is the last known one and says so ("확인 중…") until the scan confirms or changes it.
 */
import type { KeyboardEvent } from 'react'
import { MEDIUM_LABEL, MediumIcon } from '../../components/Icons'
import { useI18n } from '../../i18n'
import type { MediumTab } from '../../model/certs'

const TABS: MediumTab[] = ['all', 'disk', 'removable', 'keychain', 'token']

interface Props {
  tab: MediumTab
  onTab: (tab: MediumTab) => void
  counts: Record<MediumTab, number>
  checking: boolean
}

export function MediumTabs({ tab, onTab, counts, checking }: Props) {
  const { t } = useI18n()

  const onKey = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0
    if (!delta) return
    e.preventDefault()
    const next = TABS[(i + delta + TABS.length) % TABS.length]!
    onTab(next)
    document.getElementById(`tab-${next}`)?.focus()
  }

  return (
    <div className="tabs" role="tablist" aria-label={t('list.tabsLabel')}>
      {TABS.map((m, i) => (
        <button
          key={m}
          id={`tab-${m}`}
          type="button"
          role="tab"
          aria-selected={tab === m}
          aria-controls="cert-grid"
          tabIndex={tab === m ? 0 : -1}
          className={tab === m ? 'tab tab-active' : 'tab'}
          onClick={() => onTab(m)}
          onKeyDown={(e) => onKey(e, i)}
          data-tab={m}
          data-checking={checking || undefined}
        >
          {m !== 'all' && <MediumIcon medium={m} />}
          <span>{m === 'all' ? t('list.tab.all') : t(MEDIUM_LABEL[m])}</span>
          <span className="tab-count">{counts[m]}</span>
          {checking && m !== 'all' && <span className="tab-checking">{t('list.checking')}</span>}
        </button>
      ))}
    </div>
  )
}
