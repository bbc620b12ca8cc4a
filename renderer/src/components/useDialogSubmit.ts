/**
 * The busy/error bookkeeping every form dialog repeats. Secrets stay in the dialog's own state; the dialog hands
 * over `clear`, which runs after a successful submit (before the dialog closes), after a failure and on cancel.
 */
import { useState } from 'react'

export interface DialogSubmit {
  busy: boolean
  error: unknown
  setError: (e: unknown) => void
  /**
   * Runs `action` with the dialog busy. On success: clear, close, then `done` with the result. On failure: unless
   * `handled` takes the error (returns true; secrets are then kept, e.g. for an overwrite retry), clear and show it.
   */
  run: <R>(action: () => Promise<R>, done: (r: R) => void, handled?: (e: unknown) => boolean) => Promise<void>
  /** Clears the secrets, then closes. */
  cancel: () => void
}

export function useDialogSubmit(onClose: () => void, clear: () => void = () => {}): DialogSubmit {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  const run: DialogSubmit['run'] = async (action, done, handled) => {
    setBusy(true)
    setError(null)
    try {
      const r = await action()
      clear()
      onClose()
      done(r)
    } catch (e) {
      if (!handled?.(e)) {
        clear()
        setError(e)
      }
    } finally {
      setBusy(false)
    }
  }

  const cancel = () => {
    clear()
    onClose()
  }

  return { busy, error, setError, run, cancel }
}
