/** One row of the grid: purpose, holder, expiry with its D-day, issuer, and where the copies are. */
import { memo, type MouseEvent } from 'react'
import { DdayBadge } from '../../components/DdayBadge'
import { MEDIUM_LABEL, MediumIcon } from '../../components/Icons'
import type { Translate } from '../../i18n'
import type { Row } from '../../model/certs'

interface Props {
  row: Row
  index: number
  selected: boolean
  active: boolean
  t: Translate
  english: boolean
  date: (iso: string) => string
  onClick: (index: number, e: MouseEvent) => void
  onCheck: (index: number) => void
  onOpen: (id: string) => void
}

export const CertificateRow = memo(function CertificateRow({ row, index, selected, active, t, english, date, onClick, onCheck, onOpen }: Props) {
  const c = row.cert
  const missing = c.copies.length - row.presentCopies
  return (
    <div
      id={`cert-row-${index}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`grid-row${selected ? ' row-selected' : ''}${active ? ' row-active' : ''}${row.days < 0 ? ' row-expired' : ''}`}
      onClick={(e) => onClick(index, e)}
      onDoubleClick={() => onOpen(c.id)}
      data-id={c.id}
      data-name={c.name}
    >
      <div role="gridcell" className="cell cell-check">
        <input
          type="checkbox"
          tabIndex={-1}
          checked={selected}
          aria-label={t('list.selectRow', { name: c.name })}
          onClick={(e) => e.stopPropagation()}
          onChange={() => onCheck(index)}
        />
      </div>
      <div role="gridcell" className="cell cell-purpose">
        <span className="purpose">{(english ? c.purposeEn : c.purpose) ?? c.purpose ?? t('list.purposeUnknown')}</span>
      </div>
      <div role="gridcell" className="cell cell-name">
        <button
          type="button"
          tabIndex={-1}
          className="link-button"
          translate="no"
          onClick={(e) => {
            e.stopPropagation()
            onOpen(c.id)
          }}
        >
          {c.name}
        </button>
      </div>
      <div role="gridcell" className="cell cell-notAfter">
        <span className="date">{date(c.notAfter)}</span>
        <DdayBadge days={row.days} />
      </div>
      {/* Long CA names are cut to the column: the tooltip gives the whole name. */}
      <div role="gridcell" className="cell cell-issuer" title={row.issuerLabel} translate="no">
        <span className="truncate">{row.issuerLabel}</span>
      </div>
      <div role="gridcell" className="cell cell-location">
        <span className="copy-count">{t('list.copies', { n: row.presentCopies })}</span>
        {row.media.map((m) => (
          <span key={m} className={`medium-chip medium-${m}`} title={t(MEDIUM_LABEL[m])}>
            <MediumIcon medium={m} />
            <span className="medium-chip-label">{t(MEDIUM_LABEL[m])}</span>
          </span>
        ))}
        {missing > 0 && <span className="missing-note">{t('list.missingCopies', { n: missing })}</span>}
      </div>
    </div>
  )
})
