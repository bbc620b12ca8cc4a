/**
 * Translation: Korean is the default, English the second language. `ko.ts` defines the key set; `en.ts` is typed
 * against it, so a key missing from either file fails the typecheck rather than showing a raw key to a person.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, type ReactNode } from 'react'
import { en } from './en'
import { ko, type MessageKey } from './ko'

export type { MessageKey } from './ko'
export type Language = 'ko' | 'en'
export type Params = Record<string, string | number>
export type Translate = (key: MessageKey, params?: Params) => string

const catalogs: Record<Language, Record<MessageKey, string>> = { ko, en }

/**
 * `{name}` placeholders, and `{n|one|other}` for English plurals (Korean needs none). A missing parameter stays
 * visible as `{name}` so the gap is noticed in review.
 */
export function format(template: string, params?: Params): string {
  if (!params) return template
  return template
    .replace(/\{(\w+)\|([^|}]*)\|([^}]*)\}/g, (whole, name: string, one: string, other: string) => (name in params ? (Number(params[name]) === 1 ? one : other) : whole))
    .replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
}

export function translator(lang: Language): Translate {
  const catalog = catalogs[lang]
  return (key, params) => format(catalog[key], params)
}

export interface I18n {
  lang: Language
  t: Translate
  /** A calendar date in the person's language (no time). */
  date(iso: string): string
  dateTime(iso: string): string
  number(n: number): string
}

const locales: Record<Language, string> = { ko: 'ko-KR', en: 'en-GB' }

export function makeI18n(lang: Language): I18n {
  const dateFmt = new Intl.DateTimeFormat(locales[lang], { year: 'numeric', month: '2-digit', day: '2-digit' })
  const dateTimeFmt = new Intl.DateTimeFormat(locales[lang], { dateStyle: 'medium', timeStyle: 'short' })
  const numberFmt = new Intl.NumberFormat(locales[lang])
  const safe = (fmt: Intl.DateTimeFormat, iso: string): string => {
    const d = new Date(iso)
    return Number.isNaN(d.getTime()) ? iso : fmt.format(d)
  }
  return {
    lang,
    t: translator(lang),
    date: (iso) => safe(dateFmt, iso),
    dateTime: (iso) => safe(dateTimeFmt, iso),
    number: (n) => numberFmt.format(n),
  }
}

const I18nContext = createContext<I18n>(makeI18n('ko'))

export function I18nProvider({ lang, children }: { lang: Language; children: ReactNode }) {
  const value = useMemo(() => makeI18n(lang), [lang])
  // Screen readers pick their voice from html[lang]; it must follow the language switch.
  useEffect(() => {
    document.documentElement.lang = lang
    document.title = value.t('app.title')
  }, [lang, value])
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

export function useI18n(): I18n {
  return useContext(I18nContext)
}

/** For callbacks that only need `t` and want a stable identity. */
export function useT(): Translate {
  const { t } = useI18n()
  return useCallback<Translate>((key, params) => t(key, params), [t])
}
