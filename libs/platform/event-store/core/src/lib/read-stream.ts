import type { RecordedEvent } from './event';
import type { EventStore } from './event-store.port';

/** Events read per request when a whole stream is read. */
export const STREAM_PAGE = 1_000;

/**
 * Every event of a stream from `fromRevision` on, in order, page by page: a
 * long stream is never cut at some `maxCount`.
 */
export async function readWholeStream(
  store: EventStore,
  streamId: string,
  options: { readonly fromRevision?: number; readonly pageSize?: number } = {},
): Promise<RecordedEvent[]> {
  const pageSize = options.pageSize ?? STREAM_PAGE;
  const out: RecordedEvent[] = [];
  let from = options.fromRevision ?? 0;
  for (;;) {
    const page = await store.readStream(streamId, { fromRevision: from, maxCount: pageSize });
    out.push(...page);
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return out;
    from = last.streamPosition + 1;
  }
}
