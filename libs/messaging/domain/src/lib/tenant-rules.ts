// The tenant's own rules on top of a decision (ADR 0015, 5), and the STOP keywords (K2). Pure.

export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

/** `HH:MM` to `HH:MM` in the recipient's zone; may cross midnight (21:00–08:00). */
export interface QuietHours {
  readonly from: string;
  readonly to: string;
}

export interface TenantMessagingRules {
  /** At most this many marketing messages per subject within `frequencyWindowDays` (null: no cap). */
  readonly marketingCap: number | null;
  readonly frequencyWindowDays: number;
  readonly quietHours: QuietHours | null;
  /** The zone used when a recipient's own is not known. */
  readonly defaultZone: string;
}

export type RuleRefusal = 'suppressed' | 'frequency-cap';

/**
 * Why the tenant's rules refuse a recipient that the decision allowed, or null. The suppression
 * list refuses every category; the cap counts marketing only.
 */
export function ruleRefusal(input: {
  readonly suppressed: boolean;
  readonly category: TemplateCategory;
  readonly marketingSentInWindow: number;
  readonly rules: TenantMessagingRules;
}): RuleRefusal | null {
  if (input.suppressed) return 'suppressed';
  if (input.category === 'MARKETING' && input.rules.marketingCap !== null && input.marketingSentInWindow >= input.rules.marketingCap) return 'frequency-cap';
  return null;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const isQuietHours = (value: QuietHours): boolean => HHMM.test(value.from) && HHMM.test(value.to) && value.from !== value.to;

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** The wall-clock minutes of the day at `at` in `zone`. */
function localMinutes(at: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? '0');
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? '0');
  return hour * 60 + minute;
}

/**
 * When the quiet hours around `at` end in the recipient's zone, or null when `at` is outside
 * them: a message is held until then, not refused. Accurate to the minute (a zone change of
 * the offset inside the quiet hours moves the end by that change at most).
 */
export function quietUntil(at: Date, zone: string, quiet: QuietHours | null): Date | null {
  if (quiet === null || !isQuietHours(quiet)) return null;
  const now = localMinutes(at, zone);
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  const inside = from < to ? now >= from && now < to : now >= from || now < to;
  if (!inside) return null;
  const wait = (to - now + 1_440) % 1_440;
  const end = new Date(at.getTime() + wait * 60_000);
  end.setUTCSeconds(0, 0);
  return end;
}

/** STOP words per language (a tenant may set its own); matched against the whole message. */
export const DEFAULT_STOP_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  en: ['STOP', 'UNSUBSCRIBE', 'STOP ALL', 'OPT OUT'],
  zh: ['退订', '停止', '取消订阅', 'TD'],
};

const normalise = (text: string): string =>
  text
    .normalize('NFKC')
    .trim()
    .replace(/[\s\p{P}]+$/u, '')
    .replace(/\s+/gu, ' ')
    .toUpperCase();

/**
 * True when a person's whole message is a stop word of any language (case, width and trailing
 * punctuation ignored): "stop", "STOP!", "退订" — but not "don't stop" or "stop by tomorrow".
 */
export function isStopRequest(text: string, keywords: Readonly<Record<string, readonly string[]>> = DEFAULT_STOP_KEYWORDS): boolean {
  const said = normalise(text);
  if (said === '') return false;
  return Object.values(keywords).some((words) => words.some((word) => normalise(word) === said));
}
