// The consent page's state (a receipt looked up, in the URL) and the pure parts of its view:
// the overview as a purpose × channel matrix.
import type { components } from '../api/schema';

export type PurposeOverview = components['schemas']['PurposeOverview'];
export type ConsentReceipt = components['schemas']['ConsentReceipt'];

export interface ConsentSearch {
  /** A receipt id to show (UUID, lower case). */
  readonly receipt?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A receipt id as the API takes it (any case, trimmed), or undefined. */
export function parseReceiptId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const id = value.trim().toLowerCase();
  return UUID.test(id) ? id : undefined;
}

export function parseConsentSearch(input: Record<string, unknown>): ConsentSearch {
  const receipt = parseReceiptId(input['receipt']);
  return receipt === undefined ? {} : { receipt };
}

export interface Counts {
  readonly granted: number;
  readonly withdrawn: number;
}

export interface OverviewMatrix {
  /** Every channel with a consent to some purpose, by name. */
  readonly channels: readonly string[];
  readonly rows: readonly {
    readonly purposeKey: string;
    readonly version: number;
    readonly total: Counts;
    /** One cell per channel of `channels`, in that order; null where no one consented to this purpose on that channel. */
    readonly cells: readonly (Counts | null)[];
  }[];
}

/** The overview as a matrix: purposes down (by key), channels across (by name). */
export function overviewMatrix(overview: readonly PurposeOverview[]): OverviewMatrix {
  const channels = [...new Set(overview.flatMap((p) => p.channels.map((c) => c.channel)))].sort();
  const rows = [...overview]
    .sort((a, b) => a.purposeKey.localeCompare(b.purposeKey))
    .map((p) => {
      const byChannel = new Map(p.channels.map((c) => [c.channel, { granted: c.granted, withdrawn: c.withdrawn }] as const));
      return {
        purposeKey: p.purposeKey,
        version: p.version,
        total: { granted: p.granted, withdrawn: p.withdrawn },
        cells: channels.map((channel) => byChannel.get(channel) ?? null),
      };
    });
  return { channels, rows };
}
