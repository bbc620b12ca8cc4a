import { errorText } from '../api'
import { useI18n } from '../i18n'

/** An error sentence announced at once (role=alert) where the failed action was started. */
export function ErrorBox({ error }: { error: unknown }) {
  const { t } = useI18n()
  if (error === null || error === undefined) return null
  return (
    <p className="error-box" role="alert">
      {typeof error === 'string' ? error : errorText(error, t)}
    </p>
  )
}
