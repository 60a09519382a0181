import { useI18n } from '../i18n/context';
import { formatDateTime, type DateTimeStyle } from './date-time';

/** An instant in the user's zone and language; the UTC instant on hover (`title`) and in `<time dateTime>`. */
export function DateTime({ value, style = 'long' }: { readonly value: string; readonly style?: DateTimeStyle }) {
  const { language } = useI18n();
  const formatted = formatDateTime(value, language, style);
  if (formatted === null) return <span>{value}</span>;
  return (
    <time dateTime={formatted.utc} title={formatted.utc}>
      {formatted.text}
    </time>
  );
}
