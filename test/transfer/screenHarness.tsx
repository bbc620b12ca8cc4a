/**
 * Test harness: the real 휴대폰으로 복사 screen (renderer/src/screens/PhoneTransfer.tsx) with the real styles,
 * rendered in Chromium by phone.e2e.test.ts, which plays the command layer: it feeds the screen props from a
 * live session and receives its button presses through `window.dojangPhoneAction` (page.exposeFunction).
 */
import { createRoot } from 'react-dom/client'
import { I18nProvider, type Language } from '../../renderer/src/i18n'
import { PhoneTransfer, type PhoneTransferProps } from '../../renderer/src/screens/PhoneTransfer'

type DataProps = Omit<PhoneTransferProps, 'onConfirm' | 'onReject' | 'onCancel' | 'onRestart' | 'onClose'>

declare global {
  interface Window {
    dojangPhoneAction?: (action: string) => void
    renderPhoneTransfer: (props: DataProps, lang: Language) => void
  }
}

const container = document.createElement('div')
document.body.append(container)
const root = createRoot(container)
const act = (action: string) => () => window.dojangPhoneAction?.(action)

window.renderPhoneTransfer = (props, lang) => {
  root.render(
    <I18nProvider lang={lang}>
      <PhoneTransfer {...props} onConfirm={act('confirm')} onReject={act('reject')} onCancel={act('cancel')} onRestart={act('restart')} onClose={act('close')} />
    </I18nProvider>,
  )
}
