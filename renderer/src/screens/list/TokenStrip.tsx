/**
 * On the 보안토큰 tab: each connected token with its label, slot and PIN state, so a person sees a PIN that is about
 * to lock before typing it. The facts come from listMedia (refreshed when media change); no PIN is involved.
 */
import { useEffect, useState } from 'react'
import type { MediumInfo, TokenMediumInfo } from '../../../../common/contract'
import { call } from '../../api'
import { useDojangEvent } from '../../app/events'
import { useI18n, type MessageKey } from '../../i18n'

const PIN_STATE: Record<TokenMediumInfo['pinState'], MessageKey> = {
  ok: 'token.pin.ok',
  'count-low': 'token.pin.countLow',
  'final-try': 'token.pin.finalTry',
  locked: 'token.pin.locked',
  'to-be-changed': 'token.pin.toBeChanged',
}

export function TokenStrip() {
  const { t } = useI18n()
  const [tokens, setTokens] = useState<MediumInfo[] | null>(null)
  const load = () =>
    void call('listMedia', {})
      .then((media) => setTokens(media.filter((m) => m.medium === 'token' && m.token)))
      .catch(() => setTokens([]))
  useEffect(load, [])
  useDojangEvent((e) => {
    if (e.type === 'mediaChanged') load()
  })
  if (!tokens) return null
  if (tokens.length === 0) return <p className="token-strip subtle" data-tokens="none">{t('token.none')}</p>
  return (
    <ul className="token-strip" aria-label={t('token.listLabel')}>
      {tokens.map((m) => (
        <li key={m.root} data-token={m.token!.serial} data-pin-state={m.token!.pinState} className={m.token!.pinState === 'ok' ? '' : 'token-warn'}>
          <strong translate="no">{m.token!.label}</strong>
          <span>{t('token.slot', { slot: m.token!.slotId })}</span>
          <span>{t(PIN_STATE[m.token!.pinState])}</span>
          {m.token!.writeProtected && <span>{t('token.writeProtected')}</span>}
        </li>
      ))}
    </ul>
  )
}
