/**
 * The phone page (bundled by ../bundle.ts into app.generated.ts, served by the session server from memory).
 * Plain-http LAN page: no WebCrypto, so every cryptographic step is @noble (../crypto.ts). The flow:
 * read the key from the fragment and drop it from the address bar → claim with a fresh nonce → show the code →
 * long-poll until the PC confirms → download and open the envelope (share) or seal and upload a file (receive).
 * All text goes in through textContent; nothing from the network becomes HTML.
 */
import { decodeSharePayload, encodeUpload, uploadKindOf, type ShareItem } from '../../payload'
import { writeZip } from '../../zip'
import { confirmationCode, fromBase64url, openEnvelope, sealEnvelope } from '../crypto'
import { initialLanguage, MESSAGES, type Lang, type MessageKey } from './i18n'

type View =
  | { phase: 'connecting' }
  | { phase: 'code'; code: string; message: MessageKey }
  | { phase: 'ready'; code: string; items: ShareItem[] }
  | { phase: 'upload'; code: string; busy: boolean; error?: MessageKey }
  | { phase: 'sent' }
  | { phase: 'error'; message: MessageKey }

/** The server takes envelopes up to 2 MiB; leave room for the frame header and the envelope overhead. */
const MAX_UPLOAD = 2 * 1024 * 1024 - 4096
const sid = location.pathname.split('/')[2] ?? ''
const base = `/c/${sid}`
let lang: Lang = initialLanguage(navigator.languages?.length ? navigator.languages : [navigator.language])
let view: View = { phase: 'connecting' }
let key: Uint8Array | undefined
const nonce = crypto.getRandomValues(new Uint8Array(16))

function t(k: MessageKey): string {
  return MESSAGES[lang][k]
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value)
  node.append(...children)
  return node
}

function show(next: View): void {
  view = next
  render()
}

function codeBlock(code: string): HTMLElement {
  return el('section', { class: 'code' }, el('p', { class: 'label' }, t('codeLabel')), el('p', { id: 'code', class: 'digits' }, `${code.slice(0, 3)} ${code.slice(3)}`))
}

function render(): void {
  document.documentElement.lang = lang
  document.title = t('title')
  document.body.dataset.phase = view.phase
  const root = document.getElementById('app')
  if (!root) return
  const toggle = el('button', { type: 'button', class: 'lang', id: 'lang' }, t('otherLanguage'))
  toggle.addEventListener('click', () => {
    lang = lang === 'ko' ? 'en' : 'ko'
    render()
  })
  const parts: Node[] = [el('header', {}, el('h1', {}, t('title')), toggle)]
  switch (view.phase) {
    case 'connecting':
      parts.push(el('p', { class: 'status' }, t('connecting')))
      break
    case 'code':
      parts.push(codeBlock(view.code), el('p', {}, t('codeHelp')), el('p', { class: 'status' }, t(view.message)))
      break
    case 'ready':
      parts.push(codeBlock(view.code), el('h2', {}, t('readyTitle')), el('p', {}, t('readyHelp')))
      for (const [i, item] of view.items.entries()) parts.push(itemCard(item, i))
      parts.push(el('h2', {}, t('howTitle')), el('ol', {}, el('li', {}, t('howP12')), el('li', {}, t('howZip')), el('li', {}, t('howNote'))))
      break
    case 'upload':
      parts.push(codeBlock(view.code), uploadForm(view))
      break
    case 'sent':
      parts.push(el('h2', {}, t('sentTitle')), el('p', { class: 'status' }, t('sentHelp')))
      break
    case 'error':
      parts.push(el('p', { class: 'error', role: 'alert', 'data-error': view.message }, t(view.message)))
      break
  }
  parts.push(el('p', { class: 'note' }, t('trustNote')))
  root.replaceChildren(...parts)
}

function itemCard(item: ShareItem, index: number): HTMLElement {
  const card = el('section', { class: 'item', 'data-index': String(index) }, el('h3', {}, item.label))
  if (item.pfx) {
    const pfx = item.pfx
    const p12 = el('button', { type: 'button', 'data-download': 'p12' }, t('saveP12'))
    p12.addEventListener('click', () => download(pfx.data, pfx.name, 'application/x-pkcs12'))
    card.append(p12, el('p', { class: 'hint' }, t(pfx.password === 'transfer' ? 'passwordTransfer' : 'passwordCertificate')))
  }
  if (item.files.length > 0) {
    const zip = el('button', { type: 'button', 'data-download': 'zip' }, t('saveZip'))
    zip.addEventListener('click', () => {
      const entries = item.files.map((f) => ({ path: `${item.folder}/${f.name}`, data: f.data }))
      download(writeZip(entries, new Date()), zipName(item), 'application/zip')
    })
    card.append(zip)
  }
  return card
}

/** `NPKI-<DN folder>.zip`, trimmed to something every phone file system accepts. */
function zipName(item: ShareItem): string {
  const last = item.folder.split('/').pop() ?? 'certificate'
  return `NPKI-${last.replace(/[^\p{L}\p{N}()=,._-]+/gu, '_').slice(0, 80)}.zip`
}

function download(data: Uint8Array, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }))
  const a = el('a', { href: url, download: name })
  document.body.append(a)
  a.click()
  a.remove()
  // Revoking at once can cancel the download in some mobile browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

function uploadForm(v: Extract<View, { phase: 'upload' }>): HTMLElement {
  const input = el('input', { type: 'file', id: 'file', accept: '.p12,.pfx,.zip,application/x-pkcs12,application/zip' })
  const button = el('button', { type: 'button', id: 'send' }, v.busy ? t('sending') : t('send'))
  if (v.busy) {
    button.setAttribute('disabled', '')
    input.setAttribute('disabled', '')
  }
  button.addEventListener('click', () => {
    const file = input.files?.[0]
    if (file) void upload(file)
  })
  const form = el('section', { class: 'upload' }, el('h2', {}, t('uploadTitle')), el('p', {}, t('uploadHelp')), input, button)
  if (v.error) form.append(el('p', { class: 'error', role: 'alert', 'data-error': v.error }, t(v.error)))
  return form
}

function post(path: string, body: Uint8Array): Promise<Response> {
  return fetch(`${base}/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: body as BodyInit,
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

function endMessage(state: unknown): MessageKey {
  return state === 'declined' ? 'errDeclined' : state === 'expired' ? 'errExpired' : 'errEnded'
}

/** Long-polls until the PC confirms; a few network hiccups are retried. A PC that went away after the claim most
 * likely ended the session (cancel, or expiry), hence errEnded rather than a Wi-Fi hint. */
async function waitForConfirmation(): Promise<'confirmed' | MessageKey> {
  let failures = 0
  for (;;) {
    let res: Response
    try {
      res = await post('status', nonce)
    } catch {
      if (++failures > 3) return 'errEnded'
      await sleep(1000)
      continue
    }
    failures = 0
    if (res.status === 429) {
      await sleep(1000)
      continue
    }
    const body = (await res.json().catch(() => ({}))) as { state?: unknown }
    if (body.state === 'confirmed') return 'confirmed'
    if (body.state !== 'claimed') return endMessage(body.state)
  }
}

async function receiveShare(code: string): Promise<void> {
  show({ phase: 'code', code, message: 'receiving' })
  const res = await post('payload', nonce)
  if (res.status !== 200 || !key) return show({ phase: 'error', message: res.status === 410 ? 'errExpired' : 'errNetwork' })
  try {
    const items = decodeSharePayload(openEnvelope(key, sid, 'down', new Uint8Array(await res.arrayBuffer())))
    show({ phase: 'ready', code, items })
  } catch {
    show({ phase: 'error', message: 'errTampered' })
  } finally {
    key.fill(0)
  }
}

async function upload(file: File): Promise<void> {
  if (view.phase !== 'upload' || !key) return
  const code = view.code
  const kind = uploadKindOf(file.name)
  if (!kind) return show({ phase: 'upload', code, busy: false, error: 'errFileType' })
  if (file.size > MAX_UPLOAD) return show({ phase: 'upload', code, busy: false, error: 'errFileSize' })
  show({ phase: 'upload', code, busy: true })
  const name = file.name.replace(/[/\\]/g, '_')
  const sealed = sealEnvelope(key, sid, 'up', encodeUpload({ name, kind, data: new Uint8Array(await file.arrayBuffer()) }), crypto.getRandomValues(new Uint8Array(12)))
  const body = new Uint8Array(nonce.length + sealed.length)
  body.set(nonce)
  body.set(sealed, nonce.length)
  let res: Response | undefined
  try {
    res = await post('upload', body)
  } catch {
    res = undefined
  }
  if (res?.status === 200) {
    key.fill(0)
    return show({ phase: 'sent' })
  }
  if (res?.status === 410) return show({ phase: 'error', message: 'errExpired' })
  show({ phase: 'upload', code, busy: false, error: 'errUpload' })
}

async function start(): Promise<void> {
  const match = /^#k=([A-Za-z0-9_-]{43})$/.exec(location.hash)
  // Keep the key out of the history, bookmarks and any copy of the address.
  history.replaceState(null, '', location.pathname)
  if (!match?.[1]) return show({ phase: 'error', message: 'errNoKey' })
  key = fromBase64url(match[1])
  if (key.length !== 32) return show({ phase: 'error', message: 'errNoKey' })
  render()
  let claim: Response
  try {
    claim = await post('claim', nonce)
  } catch {
    return show({ phase: 'error', message: 'errNetwork' })
  }
  if (claim.status === 409) return show({ phase: 'error', message: 'errClaimed' })
  if (claim.status === 410) return show({ phase: 'error', message: 'errExpired' })
  if (claim.status !== 200) return show({ phase: 'error', message: 'errNetwork' })
  const { mode } = (await claim.json()) as { mode?: unknown }
  const code = confirmationCode(key, sid, nonce)
  show({ phase: 'code', code, message: 'waitingPc' })
  const outcome = await waitForConfirmation()
  if (outcome !== 'confirmed') return show({ phase: 'error', message: outcome })
  if (mode === 'receive') show({ phase: 'upload', code, busy: false })
  else await receiveShare(code)
}

document.addEventListener('DOMContentLoaded', () => {
  start().catch(() => show({ phase: 'error', message: 'errNetwork' }))
})
