import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { LANGUAGE_STORAGE_KEY, pickLanguage, templateParts, translate, type Language, type MessageKey, type Vars } from './index';

interface I18n {
  readonly language: Language;
  readonly setLanguage: (language: Language) => void;
  /** The message in the current language, `{name}` placeholders filled in. */
  readonly t: (key: MessageKey, vars?: Vars) => string;
  /** The message with elements put in for its placeholders (a <code>, a <DateTime>, a link…). */
  readonly tx: (key: MessageKey, nodes: Readonly<Record<string, ReactNode>>) => ReactNode;
}

const I18nContext = createContext<I18n | null>(null);

function storedLanguage(): string | null {
  try {
    return window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null; // storage disabled: fall back to the browser's languages
  }
}

/** The language to start in: the stored choice, else the browser's languages. */
export const initialLanguage = (): Language => pickLanguage(storedLanguage(), navigator.languages.length > 0 ? navigator.languages : [navigator.language]);

export function I18nProvider({ initial, children }: { readonly initial: Language; readonly children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initial);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const setLanguage = useCallback((next: Language) => {
    setLanguageState(next);
    try {
      window.localStorage.setItem(LANGUAGE_STORAGE_KEY, next);
    } catch {
      // storage disabled: the choice lasts for this page only
    }
  }, []);

  const value = useMemo<I18n>(
    () => ({
      language,
      setLanguage,
      t: (key, vars) => translate(language, key, vars),
      tx: (key, nodes) =>
        templateParts(translate(language, key)).map((part, i) =>
          'text' in part ? part.text : <span key={`${part.name}-${String(i)}`}>{nodes[part.name] ?? `{${part.name}}`}</span>,
        ),
    }),
    [language, setLanguage],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (i18n === null) throw new Error('useI18n() outside of <I18nProvider>');
  return i18n;
}
