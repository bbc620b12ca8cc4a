/**
 * Fixed-row-height windowing: only the rows in view (plus a margin) are in the DOM, so 10,000 certificates cost
 * the same to scroll as 30. Fixed heights keep the arithmetic exact and avoid measuring rows while scrolling.
 */
import { useCallback, useLayoutEffect, useState, type RefObject } from 'react'

export interface Windowing {
  start: number
  end: number
  /** Rows that fit in the viewport (for Page Up / Page Down). */
  pageRows: number
  onScroll: () => void
  /** Scrolls just enough to show the row (keyboard navigation). */
  reveal: (index: number) => void
}

export function useWindowing(ref: RefObject<HTMLElement | null>, count: number, rowHeight: number, headerHeight: number, overscan = 8): Windowing {
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(600)

  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const measure = () => {
      // A hidden screen measures 0; keep the last real height so coming back does not flash an empty list.
      if (el.clientHeight > 0) setHeight(el.clientHeight)
      setScrollTop(el.scrollTop)
    }
    measure()
    const ro = new ResizeObserver(measure)
    ro.observe(el)
    return () => ro.disconnect()
  }, [ref])

  const onScroll = useCallback(() => {
    const el = ref.current
    if (el) setScrollTop(el.scrollTop)
  }, [ref])

  const reveal = useCallback(
    (index: number) => {
      const el = ref.current
      if (!el) return
      const top = index * rowHeight
      const bottom = top + rowHeight
      const viewTop = el.scrollTop
      const viewBottom = el.scrollTop + el.clientHeight - headerHeight
      if (top < viewTop) el.scrollTop = top
      else if (bottom > viewBottom) el.scrollTop = bottom - (el.clientHeight - headerHeight)
      setScrollTop(el.scrollTop)
    },
    [ref, rowHeight, headerHeight],
  )

  const bodyTop = Math.max(0, scrollTop)
  const visible = Math.ceil(Math.max(0, height - headerHeight) / rowHeight)
  const first = Math.floor(bodyTop / rowHeight)
  const start = Math.max(0, Math.min(count, first - overscan))
  const end = Math.min(count, first + visible + overscan)
  return { start, end, pageRows: Math.max(1, visible - 1), onScroll, reveal }
}
