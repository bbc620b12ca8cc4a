/**
 * The certificate grid: sortable column headers, a windowed body (only the rows in view are in the DOM) and the
 * keyboard. The ARIA grid pattern with aria-activedescendant keeps one tab stop for the whole list, which also
 * suits windowing (only the active row must be in the DOM).
 */
import { useCallback, useEffect, useRef, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react'
import type { CertificateView } from '../../../../common/contract'
import { useWindowing } from '../../components/useWindowing'
import { useI18n, type MessageKey } from '../../i18n'
import type { Row, Sort, SortKey } from '../../model/certs'
import { CertificateRow } from './CertificateRow'
import type { MoveMode, RowSelection } from './useRowSelection'

export const ROW_HEIGHT = 44
const HEADER_HEIGHT = 40

const COLUMNS: { key: SortKey; label: MessageKey }[] = [
  { key: 'purpose', label: 'list.col.purpose' },
  { key: 'name', label: 'list.col.name' },
  { key: 'notAfter', label: 'list.col.notAfter' },
  { key: 'issuer', label: 'list.col.issuer' },
  { key: 'location', label: 'list.col.location' },
]

interface Props {
  view: Row[]
  loaded: boolean
  /** True while a scan may still change the rows (the list is the last known state). */
  checking: boolean
  /** Whether the list screen is on show (focus returns here when it comes back). */
  visible: boolean
  selection: RowSelection
  sort: Sort
  onSort: (key: SortKey) => void
  onOpen: (id: string) => void
  onDelete: (certs: CertificateView[]) => void
  /** Shown inside the grid when no row matches. */
  noMatch: ReactNode
}

export function CertificateGrid({ view, loaded, checking, visible, selection, sort, onSort, onOpen, onDelete, noMatch }: Props) {
  const { t, lang, date } = useI18n()
  const gridRef = useRef<HTMLDivElement>(null)
  const win = useWindowing(gridRef, view.length, ROW_HEIGHT, HEADER_HEIGHT)
  const { activeIndex, selected } = selection

  // Coming back from the details screen, keyboard users continue where they were: focus on the list, the
  // active row in view.
  const wasVisible = useRef(visible)
  useEffect(() => {
    if (visible && !wasVisible.current && activeIndex >= 0) {
      gridRef.current?.focus({ preventScroll: true })
      win.reveal(activeIndex)
    }
    wasVisible.current = visible
  }, [visible, activeIndex, win])

  const rowClick = selection.onRowClick
  const onRowClick = useCallback(
    (index: number, e: MouseEvent) => {
      rowClick(index, e)
      gridRef.current?.focus({ preventScroll: true })
    },
    [rowClick],
  )
  const onRowOpen = useCallback((id: string) => onOpen(id), [onOpen])

  const move = (index: number, mode: MoveMode) => {
    const i = selection.moveTo(index, mode)
    if (i >= 0) win.reveal(i)
  }

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== gridRef.current) return
    const mode: MoveMode = e.shiftKey ? 'extend' : e.ctrlKey || e.metaKey ? 'focus' : 'single'
    const cur = activeIndex
    switch (e.key) {
      case 'ArrowDown':
        move(cur + 1, mode)
        break
      case 'ArrowUp':
        move(cur < 0 ? 0 : cur - 1, mode)
        break
      case 'PageDown':
        move(cur + win.pageRows, mode)
        break
      case 'PageUp':
        move(cur - win.pageRows, mode)
        break
      case 'Home':
        move(0, mode)
        break
      case 'End':
        move(view.length - 1, mode)
        break
      case ' ':
        if (cur >= 0) selection.onCheck(cur)
        break
      case 'a':
        if (!(e.ctrlKey || e.metaKey)) return
        selection.selectAll()
        break
      case 'Enter':
        if (cur >= 0) onOpen(view[cur]!.cert.id)
        break
      case 'Delete': {
        const chosen = selection.chosen()
        if (chosen.length > 0) onDelete(chosen)
        break
      }
      case 'Escape':
        if (selected.size === 0) return
        selection.clear()
        break
      default:
        return
    }
    e.preventDefault()
  }

  const start = win.start
  const slice = view.slice(start, win.end)

  return (
    <div
      id="cert-grid"
      ref={gridRef}
      className="grid"
      role="grid"
      tabIndex={0}
      aria-label={t('list.gridLabel')}
      aria-rowcount={view.length + 1}
      aria-colcount={6}
      aria-multiselectable="true"
      aria-busy={!loaded || checking}
      aria-activedescendant={activeIndex >= start && activeIndex < win.end ? `cert-row-${activeIndex}` : undefined}
      onKeyDown={onKeyDown}
      onScroll={win.onScroll}
      data-lang={lang}
    >
      <div role="rowgroup" className="grid-head">
        <div role="row" aria-rowindex={1} className="grid-row grid-header-row">
          <div role="columnheader" className="cell cell-check">
            <span className="sr-only">{t('list.col.select')}</span>
          </div>
          {COLUMNS.map((c) => (
            <div
              key={c.key}
              role="columnheader"
              className={`cell cell-${c.key}`}
              aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
            >
              <button type="button" className="sort-button" onClick={() => onSort(c.key)} data-sort={c.key}>
                {t(c.label)}
                <span className="sort-mark" aria-hidden="true">
                  {sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                </span>
              </button>
            </div>
          ))}
        </div>
      </div>
      {/* The body is as tall as all rows; only the window of rows is rendered inside it. Heights come from the
          row count, so they are set through React's style object (CSSOM, allowed by the CSP). */}
      <div role="rowgroup" className="grid-body" style={{ height: view.length * ROW_HEIGHT }}>
        <div role="presentation" className="grid-window" style={{ transform: `translateY(${start * ROW_HEIGHT}px)` }}>
          {slice.map((r, k) => (
            <CertificateRow
              key={r.cert.id}
              row={r}
              index={start + k}
              selected={selected.has(r.cert.id)}
              active={start + k === activeIndex}
              t={t}
              english={lang === 'en'}
              date={date}
              onClick={onRowClick}
              onCheck={selection.onCheck}
              onOpen={onRowOpen}
            />
          ))}
        </div>
      </div>
      {loaded && view.length === 0 && (
        <div className="grid-empty" role="presentation">
          {noMatch}
        </div>
      )}
    </div>
  )
}
