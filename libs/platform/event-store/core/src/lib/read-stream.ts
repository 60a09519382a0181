import type { RecordedEvent } from './event';
import type { EventStore } from './event-store.port';

/** Events read per request when a whole stream is read. */
export const STREAM_PAGE = 1_000;

/**
 * Every event of a stream from `fromRevision` on, in order, page by page: a
 * long stream is never cut at some `maxCount`. A stream longer than one page
 * is read one page ahead: a stream's revisions are contiguous, so the page
 * after the next most likely starts a page further on, and reading it while
 * the next one is decoded (decrypted, for the encrypting store) overlaps the
 * two. A guess that proves wrong (a truncated stream) is dropped and the page
 * read where it really starts.
 */
export async function readWholeStream(
  store: Pick<EventStore, 'readStream'>,
  streamId: string,
  options: { readonly fromRevision?: number; readonly pageSize?: number } = {},
): Promise<RecordedEvent[]> {
  const pageSize = options.pageSize ?? STREAM_PAGE;
  const read = (fromRevision: number): Promise<RecordedEvent[]> => {
    const page = store.readStream(streamId, { fromRevision, maxCount: pageSize });
    page.catch(() => undefined); // awaited when its turn comes; a guess never used must not go unhandled
    return page;
  };
  const out: RecordedEvent[] = [];
  let page = await read(options.fromRevision ?? 0);
  let ahead: { readonly from: number; readonly page: Promise<RecordedEvent[]> } | null = null;
  for (;;) {
    out.push(...page);
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return out;
    const from = last.streamPosition + 1;
    const next = ahead?.from === from ? ahead.page : read(from);
    ahead = { from: from + pageSize, page: read(from + pageSize) };
    page = await next;
  }
}
