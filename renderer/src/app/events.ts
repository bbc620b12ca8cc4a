import { useEffect, useRef } from 'react'
import type { DojangEvent } from '../../../common/contract'
import { subscribe } from '../api'

/** Subscribes for the component's lifetime; the latest handler is used without resubscribing on every render. */
export function useDojangEvent(handler: (event: DojangEvent) => void): void {
  const ref = useRef(handler)
  useEffect(() => {
    ref.current = handler
  })
  useEffect(() => subscribe((e) => ref.current(e)), [])
}
