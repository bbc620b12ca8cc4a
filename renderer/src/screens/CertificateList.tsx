/**
 * 인증서 목록: one row per certificate (issuer + serial) with its copies, tabs per medium, search, filters, sort,
 * multi-select and keyboard navigation over a windowed grid. The ARIA grid pattern with aria-activedescendant
 * keeps one tab stop for the whole list, which also suits windowing (only the active row must be in the DOM).
 */
import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react'
import type { CertificateView, OperationView } from '../../../common/contract'
import { call } from '../api'
import { useDojangEvent } from '../app/events'
import { DdayBadge } from '../components/DdayBadge'
import { ErrorBox } from '../components/ErrorBox'
import { MEDIUM_LABEL, MediumIcon } from '../components/Icons'
import { useWindowing } from '../components/useWindowing'
import { useI18n, type MessageKey, type Translate } from '../i18n'
import { countByTab, matches, sortRows, toRow, type Filter, type MediumTab, type Row, type Sort, type SortKey } from '../model/certs'
import { DeleteDialog } from './DeleteDialog'

export const ROW_HEIGHT = 44
const HEADER_HEIGHT = 40
const TABS: MediumTab[] = ['all', 'disk', 'removable', 'keychain']

interface Props {
  visible: boolean
  scan: OperationView | null
  onOpen: (id: string) => void
  onImport: () => void
  onRescan: () => void
  onCancelScan: () => void
}

const COLUMNS: { key: SortKey; label: MessageKey }[] = [
  { key: 'purpose', label: 'list.col.purpose' },
  { key: 'name', label: 'list.col.name' },
  { key: 'notAfter', label: 'list.col.notAfter' },
  { key: 'issuer', label: 'list.col.issuer' },
  { key: 'location', label: 'list.col.location' },
]

export function CertificateList({ visible, scan, onOpen, onImport, onRescan, onCancelScan }: Props) {
  const { t, lang, date } = useI18n()
  const [certs, setCerts] = useState<CertificateView[] | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [now, setNow] = useState(() => Date.now())
  const [tab, setTab] = useState<MediumTab>('all')
  const [search, setSearch] = useState('')
  const [expired, setExpired] = useState(false)
  const [expiring, setExpiring] = useState(false)
  const [sort, setSort] = useState<Sort>({ key: 'notAfter', dir: 'asc' })
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set())
  const [activeId, setActiveId] = useState<string | null>(null)
  const [anchorId, setAnchorId] = useState<string | null>(null)
  const [deleting, setDeleting] = useState<CertificateView[] | null>(null)
  const gridRef = useRef<HTMLDivElement>(null)

  const load = useCallback(async () => {
    try {
      const list = await call('listCertificates', {})
      setCerts(list)
      setNow(Date.now())
      setLoadError(null)
    } catch (e) {
      setLoadError(e)
    }
  }, [])

  useEffect(() => {
    void load()
  }, [load])

  // Scans and USB arrivals send bursts of events: coalesce them into one reload.
  const reloadTimer = useRef<number | undefined>(undefined)
  const scheduleReload = useCallback(() => {
    window.clearTimeout(reloadTimer.current)
    reloadTimer.current = window.setTimeout(() => void load(), 120)
  }, [load])
  useEffect(() => () => window.clearTimeout(reloadTimer.current), [])
  useDojangEvent((e) => {
    if (e.type === 'inventoryChanged' || e.type === 'mediaChanged') scheduleReload()
    else if (e.type === 'operation' && e.operation.kind === 'scan' && e.operation.state !== 'running') scheduleReload()
  })

  const rows = useMemo(() => (certs ?? []).map((c) => toRow(c, now)), [certs, now])
  const counts = useMemo(() => countByTab(rows), [rows])
  // Typing stays responsive with 10,000 rows: the filtered list may lag a keystroke behind the input.
  const deferredSearch = useDeferredValue(search)
  const filter: Filter = useMemo(() => ({ tab, search: deferredSearch, expired, expiring }), [tab, deferredSearch, expired, expiring])
  const view = useMemo(() => sortRows(rows.filter((r) => matches(r, filter)), sort), [rows, filter, sort])
  const indexById = useMemo(() => new Map(view.map((r, i) => [r.cert.id, i])), [view])

  // Selection only ever names certificates that still exist.
  useEffect(() => {
    if (!certs) return
    const ids = new Set(certs.map((c) => c.id))
    setSelected((s) => {
      const kept = [...s].filter((id) => ids.has(id))
      return kept.length === s.size ? s : new Set(kept)
    })
  }, [certs])

  const activeIndex = activeId === null ? -1 : (indexById.get(activeId) ?? -1)
  const win = useWindowing(gridRef, view.length, ROW_HEIGHT, HEADER_HEIGHT)

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

  // Latest state for the stable row callbacks (memoized rows must not re-render on every selection change).
  const latest = useRef({ view, selected, anchorId, activeIndex })
  latest.current = { view, selected, anchorId, activeIndex }

  const selectRange = (from: number, to: number, base: ReadonlySet<string>): Set<string> => {
    const next = new Set(base)
    const [a, b] = from <= to ? [from, to] : [to, from]
    for (let i = a; i <= b; i++) {
      const r = latest.current.view[i]
      if (r) next.add(r.cert.id)
    }
    return next
  }

  const moveTo = (index: number, mode: 'single' | 'extend' | 'focus') => {
    const { view: v, anchorId: anchor } = latest.current
    if (v.length === 0) return
    const i = Math.max(0, Math.min(v.length - 1, index))
    const id = v[i]!.cert.id
    setActiveId(id)
    if (mode === 'single') {
      setSelected(new Set([id]))
      setAnchorId(id)
    } else if (mode === 'extend') {
      const anchorIndex = anchor === null ? i : (indexById.get(anchor) ?? i)
      setSelected(selectRange(anchorIndex, i, new Set()))
      if (anchor === null) setAnchorId(id)
    }
    // 'focus' (Ctrl+arrow) moves the active row and leaves the selection alone.
    win.reveal(i)
  }

  const onRowClick = useCallback(
    (index: number, e: MouseEvent) => {
      const { view: v, selected: sel, anchorId: anchor } = latest.current
      const id = v[index]?.cert.id
      if (!id) return
      setActiveId(id)
      if (e.shiftKey) {
        const found = anchor === null ? -1 : v.findIndex((r) => r.cert.id === anchor)
        setSelected(selectRange(found < 0 ? index : found, index, e.ctrlKey || e.metaKey ? sel : new Set()))
      } else if (e.ctrlKey || e.metaKey) {
        const next = new Set(sel)
        if (next.has(id)) next.delete(id)
        else next.add(id)
        setSelected(next)
        setAnchorId(id)
      } else {
        setSelected(new Set([id]))
        setAnchorId(id)
      }
      gridRef.current?.focus({ preventScroll: true })
    },
    // Stable on purpose: everything it reads comes from `latest` (a ref).
    [],
  )

  const onCheck = useCallback((index: number) => {
    const { view: v, selected: sel } = latest.current
    const id = v[index]?.cert.id
    if (!id) return
    const next = new Set(sel)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setSelected(next)
    setActiveId(id)
    setAnchorId(id)
  }, [])

  const onRowOpen = useCallback((id: string) => onOpen(id), [onOpen])

  const selectedCerts = (): CertificateView[] => {
    const chosen = view.filter((r) => selected.has(r.cert.id)).map((r) => r.cert)
    if (chosen.length > 0) return chosen
    const active = view[activeIndex]
    return active ? [active.cert] : []
  }

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== gridRef.current) return
    const mode = e.shiftKey ? 'extend' : e.ctrlKey || e.metaKey ? 'focus' : 'single'
    const cur = activeIndex < 0 ? -1 : activeIndex
    switch (e.key) {
      case 'ArrowDown':
        moveTo(cur + 1, mode)
        break
      case 'ArrowUp':
        moveTo(cur < 0 ? 0 : cur - 1, mode)
        break
      case 'PageDown':
        moveTo(cur + win.pageRows, mode)
        break
      case 'PageUp':
        moveTo(cur - win.pageRows, mode)
        break
      case 'Home':
        moveTo(0, mode)
        break
      case 'End':
        moveTo(view.length - 1, mode)
        break
      case ' ':
        if (cur >= 0) onCheck(cur)
        break
      case 'a':
        if (!(e.ctrlKey || e.metaKey)) return
        setSelected(new Set(view.map((r) => r.cert.id)))
        break
      case 'Enter':
        if (cur >= 0) onOpen(view[cur]!.cert.id)
        break
      case 'Delete': {
        const chosen = selectedCerts()
        if (chosen.length > 0) setDeleting(chosen)
        break
      }
      case 'Escape':
        if (selected.size === 0) return
        setSelected(new Set())
        break
      default:
        return
    }
    e.preventDefault()
  }

  const toggleSort = (key: SortKey) => setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }))

  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0
    if (!delta) return
    e.preventDefault()
    const next = TABS[(i + delta + TABS.length) % TABS.length]!
    setTab(next)
    document.getElementById(`tab-${next}`)?.focus()
  }

  const filtersOn = search !== '' || expired || expiring || tab !== 'all'
  const clearFilters = () => {
    setSearch('')
    setExpired(false)
    setExpiring(false)
    setTab('all')
  }

  const scanning = scan !== null && scan.state === 'running'
  const loaded = certs !== null
  const inventoryEmpty = loaded && rows.length === 0
  const start = win.start
  const slice = view.slice(start, win.end)

  return (
    <section className="screen screen-list" hidden={!visible} aria-labelledby="list-title" data-screen="list">
      <header className="screen-header">
        <h1 id="list-title">{t('list.title')}</h1>
        <div className="header-actions">
          <button type="button" className="btn" onClick={onImport} data-action="import">
            {t('list.import')}
          </button>
          <button type="button" className="btn btn-primary" onClick={onRescan} disabled={scanning} data-action="rescan">
            {t('list.rescan')}
          </button>
        </div>
      </header>

      <ScanBar scan={scan} onCancel={onCancelScan} />

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
            onClick={() => setTab(m)}
            onKeyDown={(e) => onTabKey(e, i)}
            data-tab={m}
          >
            {m !== 'all' && <MediumIcon medium={m} />}
            <span>{m === 'all' ? t('list.tab.all') : t(MEDIUM_LABEL[m])}</span>
            <span className="tab-count">{counts[m]}</span>
          </button>
        ))}
      </div>

      <div className="toolbar">
        <input
          type="search"
          className="search"
          placeholder={t('list.searchPlaceholder')}
          aria-label={t('list.searchLabel')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-input="search"
        />
        <button type="button" className="chip" aria-pressed={expired} onClick={() => setExpired((v) => !v)} data-filter="expired">
          {t('list.filter.expired')}
        </button>
        <button type="button" className="chip" aria-pressed={expiring} onClick={() => setExpiring((v) => !v)} data-filter="expiring">
          {t('list.filter.expiring')}
        </button>
        <span className="toolbar-spacer" />
        <span className="result-count" aria-live="polite" data-count={view.length}>
          {t('list.count', { n: view.length })}
        </span>
      </div>

      {selected.size > 0 && (
        <div className="selection-bar" role="region" aria-label={t('list.selectionLabel')}>
          <span>{t('list.selected', { n: selected.size })}</span>
          <button type="button" className="btn btn-danger btn-small" onClick={() => setDeleting(selectedCerts())} data-action="delete-selected">
            {t('action.delete')}
          </button>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setSelected(new Set())}>
            {t('list.clearSelection')}
          </button>
        </div>
      )}

      <ErrorBox error={loadError} />

      {inventoryEmpty ? (
        <EmptyInventory t={t} scanning={scanning} onRescan={onRescan} onImport={onImport} />
      ) : (
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
          aria-busy={!loaded}
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
                  <button type="button" className="sort-button" onClick={() => toggleSort(c.key)} data-sort={c.key}>
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
                <CertRow
                  key={r.cert.id}
                  row={r}
                  index={start + k}
                  selected={selected.has(r.cert.id)}
                  active={start + k === activeIndex}
                  t={t}
                  english={lang === 'en'}
                  date={date}
                  onClick={onRowClick}
                  onCheck={onCheck}
                  onOpen={onRowOpen}
                />
              ))}
            </div>
          </div>
          {loaded && view.length === 0 && (
            <div className="grid-empty" role="presentation">
              <p>{t('list.noMatch')}</p>
              {filtersOn && (
                <button type="button" className="btn" onClick={clearFilters}>
                  {t('list.clearFilters')}
                </button>
              )}
            </div>
          )}
        </div>
      )}

      {deleting && <DeleteDialog certs={deleting} onClose={() => setDeleting(null)} onDeleted={() => setSelected(new Set())} />}
    </section>
  )
}

interface RowProps {
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

const CertRow = memo(function CertRow({ row, index, selected, active, t, english, date, onClick, onCheck, onOpen }: RowProps) {
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
      <div role="gridcell" className="cell cell-issuer" title={c.issuer}>
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

function ScanBar({ scan, onCancel }: { scan: OperationView | null; onCancel: () => void }) {
  const { t } = useI18n()
  if (!scan) return null
  const count = (k: string) => (typeof scan.detail[k] === 'number' ? (scan.detail[k] as number) : 0)
  const params = { folders: count('foldersVisited'), found: count('certificatesFound'), problems: count('problems') }
  if (scan.state !== 'running') {
    const key: MessageKey = scan.state === 'cancelled' ? 'scan.cancelled' : scan.state === 'failed' ? 'scan.failed' : 'scan.finished'
    return (
      <div className="scan-bar scan-done" role="status" data-scan="done">
        {t(key, params)}
      </div>
    )
  }
  return (
    <div className="scan-bar" role="status" data-scan="running">
      <progress aria-label={t('scan.running')} />
      <span>{t('scan.progress', params)}</span>
      <button type="button" className="btn btn-small btn-ghost" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  )
}

function EmptyInventory({ t, scanning, onRescan, onImport }: { t: Translate; scanning: boolean; onRescan: () => void; onImport: () => void }) {
  return (
    <div className="empty" data-empty="inventory">
      <h2>{t('empty.title')}</h2>
      <p>{t('empty.intro')}</p>
      <dl className="empty-places">
        <dt>{t('empty.diskTitle')}</dt>
        <dd>
          <ul>
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
          {t('empty.usbText')} <code>E:\NPKI</code>
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
