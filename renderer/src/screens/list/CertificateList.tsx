/**
 * 인증서 목록: one row per certificate (issuer + serial) with its copies, tabs per medium, search, filters, sort,
 * multi-select and keyboard navigation over a windowed grid. The rows are the inventory as last known; while a scan
 * runs the tabs say "확인 중…" and the rows update when it finishes.
 */
import { useState } from 'react'
import type { CertificateView } from '../../../../common/contract'
import { useOperations } from '../../app/useOperations'
import { ErrorBox } from '../../components/ErrorBox'
import { OperationBar } from '../../components/OperationBar'
import type { PhoneSessionRequest } from '../PhoneSession'
import { useI18n } from '../../i18n'
import { DeleteDialog } from '../DeleteDialog'
import { CertificateGrid } from './CertificateGrid'
import { EmptyInventory } from './EmptyInventory'
import { ListToolbar } from './ListToolbar'
import { MediumTabs } from './MediumTabs'
import { SelectionBar } from './SelectionBar'
import { TokenStrip } from './TokenStrip'
import { useCertificateRows } from './useCertificateRows'
import { useRowSelection } from './useRowSelection'

interface Props {
  visible: boolean
  onOpen: (id: string) => void
  onImport: () => void
  onRescan: () => void
  /** 휴대폰으로 복사 of the selection, 휴대폰에서 가져오기. */
  onPhone?: (request: PhoneSessionRequest) => void
}

export function CertificateList({ visible, onOpen, onImport, onRescan, onPhone }: Props) {
  const { t } = useI18n()
  const list = useCertificateRows()
  const selection = useRowSelection(list.view, list.certs)
  const [deleting, setDeleting] = useState<CertificateView[] | null>(null)
  const scan = useOperations().latest('scan')
  const scanning = scan?.state === 'running'

  return (
    <section className="screen screen-list" hidden={!visible} aria-labelledby="list-title" data-screen="list">
      <header className="screen-header">
        <h1 id="list-title">{t('list.title')}</h1>
        <div className="header-actions">
          <button type="button" className="btn" onClick={onImport} data-action="import">
            {t('list.import')}
          </button>
          {onPhone && (
            <button type="button" className="btn" onClick={() => onPhone({ direction: 'receive' })} data-action="from-phone">
              {t('phone.fromPhone')}
            </button>
          )}
          <button type="button" className="btn btn-primary" onClick={onRescan} disabled={scanning} data-action="rescan">
            {t('list.rescan')}
          </button>
        </div>
      </header>

      <OperationBar operation={scan} />
      <MediumTabs tab={list.tab} onTab={list.setTab} counts={list.counts} checking={scanning} />
      {list.tab === 'token' && <TokenStrip />}
      <ListToolbar
        search={list.search}
        onSearch={list.setSearch}
        expired={list.expired}
        onExpired={list.toggleExpired}
        expiring={list.expiring}
        onExpiring={list.toggleExpiring}
        count={list.view.length}
      />
      <SelectionBar
        count={selection.selected.size}
        onDelete={() => setDeleting(selection.chosen())}
        onClear={selection.clear}
        {...(onPhone ? { onPhone: () => onPhone(shareRequest(selection.chosen())) } : {})}
      />
      <ErrorBox error={list.loadError} />

      {list.loaded && list.rows.length === 0 ? (
        <EmptyInventory scanning={scanning} onRescan={onRescan} onImport={onImport} />
      ) : (
        <CertificateGrid
          view={list.view}
          loaded={list.loaded}
          checking={scanning}
          visible={visible}
          selection={selection}
          sort={list.sort}
          onSort={list.toggleSort}
          onOpen={onOpen}
          onDelete={setDeleting}
          noMatch={
            <>
              <p>{t('list.noMatch')}</p>
              {list.filtersOn && (
                <button type="button" className="btn" onClick={list.clearFilters}>
                  {t('list.clearFilters')}
                </button>
              )}
            </>
          }
        />
      )}

      {deleting && <DeleteDialog certs={deleting} onClose={() => setDeleting(null)} onDeleted={selection.clear} />}
    </section>
  )
}

/** The copies to send: per certificate, the first listed copy whose key can be read (not a token's). */
function shareRequest(certs: CertificateView[]): PhoneSessionRequest {
  const picked = certs.flatMap((c) => {
    const copy = c.copies.find((x) => !x.missing && x.files.signPri && x.medium !== 'token')
    return copy ? [{ location: copy.location, label: c.name }] : []
  })
  return { direction: 'share', locations: picked.map((p) => p.location), labels: picked.map((p) => p.label) }
}
