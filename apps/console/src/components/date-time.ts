// Instants are shown in the user's time zone and language; the exact UTC instant stays at hand
// (the `title` on hover and `<time dateTime>`).
import type { Language } from '../i18n';

export interface FormattedDateTime {
  /** For reading: the user's zone and language. */
  readonly text: string;
  /** The instant in UTC, ISO 8601 (machine-readable and unambiguous). */
  readonly utc: string;
}

export type DateTimeStyle = 'long' | 'compact';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(language: Language, style: DateTimeStyle, timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${language}|${style}|${timeZone ?? ''}`;
  let format = formats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(language, {
      ...(style === 'long' ? { dateStyle: 'long', timeStyle: 'long' } : { dateStyle: 'short', timeStyle: 'medium' }),
      ...(timeZone !== undefined ? { timeZone } : {}),
    });
    formats.set(key, format);
  }
  return format;
}

/** null when `value` is not an instant (it is then shown as it is). */
export function formatDateTime(value: string, language: Language, style: DateTimeStyle = 'long', timeZone?: string): FormattedDateTime | null {
  const date = new Date(value);
  if (value.trim() === '' || Number.isNaN(date.getTime())) return null;
  return { text: formatter(language, style, timeZone).format(date), utc: date.toISOString() };
}

/** The user's time zone (IANA name), for explaining what a time input means. */
export const userTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;
