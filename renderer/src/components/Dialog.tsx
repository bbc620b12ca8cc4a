/**
 * A modal built on the native <dialog>: showModal() gives the focus trap, the inert background and Esc for free,
 * which hand-made overlays tend to get wrong for keyboard and screen-reader users.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react'

interface Props {
  title: string
  onClose: () => void
  /** While an operation runs, Esc must not close the dialog and lose its outcome. */
  busy?: boolean
  wide?: boolean
  children: ReactNode
  /** Identifies the dialog for tests and styling. */
  name: string
}

export function Dialog({ title, onClose, busy = false, wide = false, children, name }: Props) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const busyRef = useRef(busy)
  busyRef.current = busy

  useEffect(() => {
    const d = ref.current
    if (d && !d.open) d.showModal()
    return () => d?.close()
  }, [])

  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      aria-busy={busy}
      data-dialog={name}
      onCancel={(e) => {
        e.preventDefault()
        if (!busyRef.current) onClose()
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>
  )
}
