// Interface text in Simplified Chinese (the default) and English.
//
// Every string the screens show comes from locales/*.json through `t`, or from
// a bilingual `Text` sent by the backend through `pick`.

import type { Text } from "./bindings/Text";
import en from "./locales/en.json";
import zhCN from "./locales/zh-CN.json";

export type Language = "zh-CN" | "en";
export type MessageKey = keyof typeof zhCN;
export type MessageParams = Record<string, string | number>;

/**
 * Accepts a catalog only when it has exactly the keys of zh-CN.json, so a
 * missing or misspelt key in either file fails `tsc`.
 */
function checkCatalog<C extends Record<MessageKey, string>>(
  catalog: C & Record<Exclude<keyof C, MessageKey>, never>,
): Record<MessageKey, string> {
  return catalog;
}

const catalogs: Record<Language, Record<MessageKey, string>> = {
  "zh-CN": checkCatalog(zhCN),
  en: checkCatalog(en),
};

const storageKey = "tucai.language";
const listeners: Array<() => void> = [];
let current: Language = readStoredLanguage();

function readStoredLanguage(): Language {
  try {
    return localStorage.getItem(storageKey) === "en" ? "en" : "zh-CN";
  } catch {
    // Storage can be disabled in the webview, and the default language still works then.
    return "zh-CN";
  }
}

export function language(): Language {
  return current;
}

/** True when this webview stored a language choice from the switch. */
export function hasStoredLanguage(): boolean {
  try {
    return localStorage.getItem(storageKey) !== null;
  } catch {
    return false;
  }
}

/**
 * Switches the language and re-renders every listener. With `store`, as
 * the switch in the header calls it, the choice lasts across restarts. The
 * station's setting for the language at start is applied without storing.
 */
export function setLanguage(next: Language, store = true): void {
  current = next;
  if (store) {
    try {
      localStorage.setItem(storageKey, next);
    } catch {
      // The choice then lasts until the window closes.
    }
  }
  translateDocument();
  for (const listener of listeners) {
    listener();
  }
}

export function onLanguageChange(listener: () => void): void {
  listeners.push(listener);
}

/** Looks up `key` in the current language and fills `{name}` placeholders from `params`. */
export function t(key: MessageKey, params: MessageParams = {}): string {
  const template = catalogs[current][key];
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = params[name];
    return value === undefined ? placeholder : String(value);
  });
}

/** Returns the current language's half of a bilingual text from the backend. */
export function pick(text: Text): string {
  return current === "zh-CN" ? text.zh : text.en;
}

/**
 * Fills static markup: `data-i18n` sets the text content, `data-i18n-alt` and
 * `data-i18n-aria-label` set those attributes. Unknown keys are left visible
 * as the key itself so that they show up on screen rather than as blanks.
 */
export function translateDocument(root: ParentNode = document): void {
  document.documentElement.lang = current;
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    element.textContent = lookup(element.dataset["i18n"]);
  }
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n-alt]")) {
    element.setAttribute("alt", lookup(element.dataset["i18nAlt"]));
  }
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n-aria-label]")) {
    element.setAttribute("aria-label", lookup(element.dataset["i18nAriaLabel"]));
  }
}

function lookup(key: string | undefined): string {
  if (key === undefined) {
    return "";
  }
  return isMessageKey(key) ? t(key) : key;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(catalogs["zh-CN"], key);
}

/** Formats an RFC 3339 time as date and minute in the window's time zone. */
export function formatDateTime(rfc3339: string): string {
  const time = new Date(rfc3339);
  if (Number.isNaN(time.getTime())) {
    return rfc3339;
  }
  return new Intl.DateTimeFormat(current === "zh-CN" ? "zh-CN" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(time);
}

/**
 * Formats an RFC 3339 time as the minute alone when it falls on today in
 * the window's time zone, and as date and minute otherwise.
 */
export function formatShortTime(rfc3339: string): string {
  const time = new Date(rfc3339);
  if (Number.isNaN(time.getTime())) {
    return rfc3339;
  }
  if (time.toDateString() !== new Date().toDateString()) {
    return formatDateTime(rfc3339);
  }
  return new Intl.DateTimeFormat(current === "zh-CN" ? "zh-CN" : "en-GB", {
    timeStyle: "short",
  }).format(time);
}
