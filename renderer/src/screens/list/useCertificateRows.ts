/**
 * The list's data: the inventory as main last knew it (one listCertificates call, answered from SQLite at once,
 * never waiting for a scan), reloaded when main announces a change, and the tab, search, filters and sort applied
 * here so that typing never waits for IPC, even with 10,000 certificates.
 */
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react'
import type { CertificateView } from '../../../../common/contract'
import { call } from '../../api'
import { useDojangEvent } from '../../app/events'
import { useI18n } from '../../i18n'
import { countByTab, matches, sortRows, toRow, type Filter, type MediumTab, type Row, type Sort, type SortKey } from '../../model/certs'

export interface CertificateRows {
  certs: CertificateView[] | null
  loaded: boolean
  loadError: unknown
  /** Every certificate as a row, unfiltered. */
  rows: Row[]
  counts: Record<MediumTab, number>
  /** What the grid shows: filtered and sorted. */
  view: Row[]
  tab: MediumTab
  setTab: (tab: MediumTab) => void
  search: string
  setSearch: (s: string) => void
  expired: boolean
  toggleExpired: () => void
  expiring: boolean
  toggleExpiring: () => void
  sort: Sort
  toggleSort: (key: SortKey) => void
  filtersOn: boolean
  clearFilters: () => void
}

export function useCertificateRows(): CertificateRows {
  const { lang } = useI18n()
  const [certs, setCerts] = useState<CertificateView[] | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [now, setNow] = useState(() => Date.now())
  const [tab, setTab] = useState<MediumTab>('all')
  const [search, setSearch] = useState('')
  const [expired, setExpired] = useState(false)
  const [expiring, setExpiring] = useState(false)
  const [sort, setSort] = useState<Sort>({ key: 'notAfter', dir: 'asc' })

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

  const rows = useMemo(() => (certs ?? []).map((c) => toRow(c, now, lang)), [certs, now, lang])
  const counts = useMemo(() => countByTab(rows), [rows])
  // Typing stays responsive with 10,000 rows: the filtered list may lag a keystroke behind the input.
  const deferredSearch = useDeferredValue(search)
  const filter: Filter = useMemo(() => ({ tab, search: deferredSearch, expired, expiring }), [tab, deferredSearch, expired, expiring])
  const view = useMemo(() => sortRows(rows.filter((r) => matches(r, filter)), sort), [rows, filter, sort])

  return {
    certs,
    loaded: certs !== null,
    loadError,
    rows,
    counts,
    view,
    tab,
    setTab,
    search,
    setSearch,
    expired,
    toggleExpired: () => setExpired((v) => !v),
    expiring,
    toggleExpiring: () => setExpiring((v) => !v),
    sort,
    toggleSort: (key) => setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' })),
    filtersOn: search !== '' || expired || expiring || tab !== 'all',
    clearFilters: () => {
      setSearch('')
      setExpired(false)
      setExpiring(false)
      setTab('all')
    },
  }
}
