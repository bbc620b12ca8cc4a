/**
 * 삭제: shows exactly which copies will go (medium and folder), moves them to Dojang's trash, and offers 실행 취소
 * right after. Copies already gone from disk are listed but cannot be chosen.
 */
import { useState } from 'react'
import type { CertificateView } from '../../../common/contract'
import { call, errorText } from '../api'
import { DialogForm } from '../components/DialogForm'
import { MediumTag } from '../components/Icons'
import { useToasts } from '../components/Toasts'
import { useI18n } from '../i18n'

interface Props {
  certs: CertificateView[]
  /** Preselected locations (the details screen deletes one chosen copy); default: every present copy. */
  only?: string[]
  onClose: () => void
  onDeleted?: (trashIds: string[]) => void
}

export function DeleteDialog({ certs, only, onClose, onDeleted }: Props) {
  const { t } = useI18n()
  const toasts = useToasts()
  const present = certs.flatMap((c) => c.copies.filter((p) => !p.missing).map((p) => p.location))
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(only ?? present))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  const toggle = (loc: string) =>
    setChosen((s) => {
      const n = new Set(s)
      if (n.has(loc)) n.delete(loc)
      else n.add(loc)
      return n
    })

  const submit = async () => {
    setBusy(true)
    setError(null)
    const trashIds: string[] = []
    let firstError: unknown = null
    let failed = 0
    // One at a time: each copy is its own transaction in main, and a failure must not hide the others' outcome.
    for (const location of present.filter((l) => chosen.has(l))) {
      try {
        const r = await call('deleteCopy', { location })
        trashIds.push(r.trashId)
      } catch (e) {
        failed++
        firstError ??= e
      }
    }
    setBusy(false)
    if (trashIds.length === 0) {
      setError(firstError)
      return
    }
    onDeleted?.(trashIds)
    onClose()
    toasts.show({
      text: t('delete.done', { n: trashIds.length }),
      kind: 'success',
      action: {
        label: t('delete.undo'),
        run: async () => {
          let restored = 0
          let undoError: unknown = null
          for (const id of trashIds) {
            try {
              await call('restoreFromTrash', { id })
              restored++
            } catch (e) {
              undoError ??= e
            }
          }
          if (undoError) toasts.show({ text: `${t('delete.undoFailed')} ${errorText(undoError, t)}`, kind: 'error' })
          else toasts.show({ text: t('delete.undone', { n: restored }), kind: 'success' })
        },
      },
    })
    if (failed > 0) toasts.show({ text: `${t('delete.partial', { n: failed })} ${errorText(firstError, t)}`, kind: 'error' })
  }

  const count = present.filter((l) => chosen.has(l)).length
  return (
    <DialogForm
      name="delete"
      title={t('delete.title')}
      wide
      busy={busy}
      error={error}
      onCancel={onClose}
      onSubmit={() => void submit()}
      canSubmit={!busy && count > 0}
      submitLabel={t('delete.confirm', { n: count })}
      submitAction="confirm-delete"
      danger
    >
      <p>{t('delete.intro')}</p>
      <div className="delete-list">
        {certs.map((c) => (
          <fieldset key={c.id} className="delete-cert">
            <legend translate="no">{c.name}</legend>
            <ul>
              {c.copies.map((p) => (
                <li key={p.location}>
                  <label className={p.missing ? 'check-row disabled' : 'check-row'}>
                    <input type="checkbox" checked={!p.missing && chosen.has(p.location)} disabled={p.missing || busy} onChange={() => toggle(p.location)} />
                    <MediumTag medium={p.medium} />
                    <code className="path">{p.location}</code>
                    {p.missing && <span className="missing-note">{t('copy.missing')}</span>}
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        ))}
      </div>
      <p className="note">{t('delete.trashNote')}</p>
    </DialogForm>
  )
}
