/**
 * Translation: Korean is the default, English the second language. `ko.ts` defines the key set; `en.ts` is typed
 * against it, so a key missing from either file fails the typecheck rather than showing a raw key to a person.
 */
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react'
import { formatDate, formatDateTime } from '../../../common/format'
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

/** Whether `key` names a message (for keys built from data, such as `op.<kind>.<step>`). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(ko, key)
}

export interface I18n {
  lang: Language
  t: Translate
  /** A calendar date in Korea, the same in both languages (2025-01-01): lists and tables (common/format.ts). */
  date(iso: string): string
  /** The long unambiguous form (2025년 1월 1일 / 1 January 2025): the details screen. */
  longDate(iso: string): string
  /** When something happened on this computer, to the minute. */
  dateTime(iso: string): string
  number(n: number): string
}

const locales: Record<Language, string> = { ko: 'ko-KR', en: 'en-GB' }

export function makeI18n(lang: Language): I18n {
  const numberFmt = new Intl.NumberFormat(locales[lang])
  return {
    lang,
    t: translator(lang),
    date: (iso) => formatDate(iso, lang),
    longDate: (iso) => formatDate(iso, lang, 'long'),
    dateTime: (iso) => formatDateTime(iso),
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
