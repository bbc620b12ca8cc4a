/**
 * The phone page as the server sends it, all from memory: the HTML shell (no inline script or style: the CSP is
 * script-src 'self' and style-src 'self'), the stylesheet, and the bundled script from app.generated.ts.
 */
import { PHONE_APP_JS } from './app.generated'

export { PHONE_APP_JS }

/** `sid` is base64url (checked by the router before it gets here), so it needs no escaping in HTML. */
export function phonePageHtml(sid: string): string {
  return `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>도장 · 인증서 복사</title>
<link rel="stylesheet" href="/c/${sid}/app.css">
<script defer src="/c/${sid}/app.js"></script>
</head>
<body>
<main id="app"><p>PC에 연결하는 중… / Connecting to the PC…</p>
<noscript><p>이 페이지는 JavaScript가 필요합니다. / This page needs JavaScript.</p></noscript></main>
</body>
</html>
`
}

export const PHONE_APP_CSS = `
:root { color-scheme: light dark; --accent: #c0392b; --muted: #6b6b6b; --card: rgba(127,127,127,.08); }
* { box-sizing: border-box; }
body { margin: 0; word-break: keep-all; overflow-wrap: anywhere; font: 16px/1.5 -apple-system, "Apple SD Gothic Neo", "Noto Sans KR", "Malgun Gothic", sans-serif; }
main { max-width: 32rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; }
header { display: flex; align-items: center; justify-content: space-between; gap: .5rem; }
h1 { font-size: 1.15rem; margin: .5rem 0; }
h2 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
h3 { font-size: 1rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
button { font: inherit; display: block; width: 100%; min-height: 3rem; margin: .5rem 0; border: 0; border-radius: .6rem;
  background: var(--accent); color: #fff; font-weight: 600; }
button:disabled { opacity: .5; }
button.lang { display: inline-block; width: auto; min-height: 2.25rem; padding: 0 .9rem; background: var(--card); color: inherit; font-weight: 400; }
input[type=file] { display: block; width: 100%; margin: .75rem 0; font: inherit; }
.code { text-align: center; padding: 1rem; border-radius: .8rem; background: var(--card); margin: 1rem 0; }
.code .label { margin: 0; color: var(--muted); }
.code .digits { margin: .25rem 0 0; font-size: 2.4rem; font-weight: 700; letter-spacing: .12em; font-variant-numeric: tabular-nums; }
.item { padding: .75rem 1rem; border-radius: .8rem; background: var(--card); margin: .75rem 0; }
.hint, .note { color: var(--muted); font-size: .9rem; }
.error { color: var(--accent); font-weight: 600; }
ol { padding-left: 1.25rem; }
li { margin: .35rem 0; }
`
