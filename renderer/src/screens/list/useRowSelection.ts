/**
 * Which rows are selected and which one is active (the keyboard cursor), with the usual desktop rules: a click
 * selects one, Ctrl toggles, Shift extends from the anchor, Ctrl+arrow moves without selecting. Row callbacks are
 * stable (they read the latest state from a ref) so that memoized rows do not re-render on every change.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react'
import type { CertificateView } from '../../../../common/contract'
import type { Row } from '../../model/certs'

export type MoveMode = 'single' | 'extend' | 'focus'

export interface RowSelection {
  selected: ReadonlySet<string>
  activeIndex: number
  /** Moves the active row (clamped); returns the new index, or -1 when the view is empty. */
  moveTo: (index: number, mode: MoveMode) => number
  onRowClick: (index: number, e: MouseEvent) => void
  /** The checkbox (and Space): toggles one row. */
  onCheck: (index: number) => void
  selectAll: () => void
  clear: () => void
  /** The selected certificates, or the active one when nothing is selected. */
  chosen: () => CertificateView[]
}

export function useRowSelection(view: Row[], certs: CertificateView[] | null): RowSelection {
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set())
  const [activeId, setActiveId] = useState<string | null>(null)
  const [anchorId, setAnchorId] = useState<string | null>(null)
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
  const latest = useRef({ view, selected, anchorId, indexById })
  latest.current = { view, selected, anchorId, indexById }

  const range = (from: number, to: number, base: ReadonlySet<string>): Set<string> => {
    const next = new Set(base)
    const [a, b] = from <= to ? [from, to] : [to, from]
    for (let i = a; i <= b; i++) {
      const r = latest.current.view[i]
      if (r) next.add(r.cert.id)
    }
    return next
  }

  const moveTo = (index: number, mode: MoveMode): number => {
    const { view: v, anchorId: anchor, indexById: byId } = latest.current
    if (v.length === 0) return -1
    const i = Math.max(0, Math.min(v.length - 1, index))
    const id = v[i]!.cert.id
    setActiveId(id)
    if (mode === 'single') {
      setSelected(new Set([id]))
      setAnchorId(id)
    } else if (mode === 'extend') {
      const anchorIndex = anchor === null ? i : (byId.get(anchor) ?? i)
      setSelected(range(anchorIndex, i, new Set()))
      if (anchor === null) setAnchorId(id)
    }
    // 'focus' (Ctrl+arrow) moves the active row and leaves the selection alone.
    return i
  }

  const onRowClick = useCallback(
    (index: number, e: MouseEvent) => {
      const { view: v, selected: sel, anchorId: anchor, indexById: byId } = latest.current
      const id = v[index]?.cert.id
      if (!id) return
      setActiveId(id)
      if (e.shiftKey) {
        const found = anchor === null ? -1 : (byId.get(anchor) ?? -1)
        setSelected(range(found < 0 ? index : found, index, e.ctrlKey || e.metaKey ? sel : new Set()))
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

  return {
    selected,
    activeIndex,
    moveTo,
    onRowClick,
    onCheck,
    selectAll: () => setSelected(new Set(view.map((r) => r.cert.id))),
    clear: () => setSelected(new Set()),
    chosen: () => {
      const chosen = view.filter((r) => selected.has(r.cert.id)).map((r) => r.cert)
      if (chosen.length > 0) return chosen
      const active = view[activeIndex]
      return active ? [active.cert] : []
    },
  }
}
