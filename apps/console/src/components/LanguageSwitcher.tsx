import { isLanguage, LANGUAGE_NAMES, LANGUAGES } from '../i18n';
import { useI18n } from '../i18n/context';

export function LanguageSwitcher() {
  const { language, setLanguage, t } = useI18n();
  return (
    <div className="language-switcher">
      <label htmlFor="console-language">{t('language.label')}</label>
      <select
        id="console-language"
        value={language}
        onChange={(event) => {
          if (isLanguage(event.target.value)) setLanguage(event.target.value);
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </div>
  );
}
