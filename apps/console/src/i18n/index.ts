// Languages, the choice of one, and the lookup of a message. Nothing here touches the DOM.
import { en, type MessageKey, type Messages } from './en';
import { zhCN } from './zh-CN';

export type { MessageKey, Messages } from './en';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language named in itself, for the switcher. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', 'zh-CN': '简体中文' };

/** The only thing the console keeps in the browser. */
export const LANGUAGE_STORAGE_KEY = 'attest.console.language';

export const DICTIONARIES: Readonly<Record<Language, Messages>> = { en, 'zh-CN': zhCN };

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** The stored choice if there is one, else the first preferred language we have (any Chinese → zh-CN), else English. */
export function pickLanguage(stored: string | null, preferred: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
  }
  return 'en';
}

export type Vars = Readonly<Record<string, string | number>>;

/** A template split into text and `{name}` placeholders (for putting elements, not only text, into a message). */
export type Part = { readonly text: string } | { readonly name: string };

export function templateParts(template: string): Part[] {
  const parts: Part[] = [];
  const pattern = /\{([A-Za-z][A-Za-z0-9]*)\}/g;
  let last = 0;
  for (const match of template.matchAll(pattern)) {
    const name = match[1];
    if (name === undefined) continue;
    if (match.index > last) parts.push({ text: template.slice(last, match.index) });
    parts.push({ name });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  return parts;
}

/** `{name}` placeholders replaced by their values; an unknown placeholder stays as it is. */
export function interpolate(template: string, vars: Vars = {}): string {
  return templateParts(template)
    .map((part) => ('text' in part ? part.text : String(vars[part.name] ?? `{${part.name}}`)))
    .join('');
}

export function translate(language: Language, key: MessageKey, vars?: Vars): string {
  return interpolate(DICTIONARIES[language][key], vars);
}

/** The placeholders of a template, sorted (the translations must use the same ones). */
export const placeholders = (template: string): string[] =>
  templateParts(template)
    .flatMap((part) => ('name' in part ? [part.name] : []))
    .sort();
