import { Controller, Get, Module, StreamableFile } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueryBus } from '@nestjs/cqrs';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Readable } from 'node:stream';
import { CUSTOMERS_READ_MODEL, type CustomersReadModel } from '@attest/customers-application';
import { FixedClock, uuidv7 } from '@attest/kernel';
import { expectEventually } from '@attest/testing';
import { PROCESSING_RECORD, type ProcessingRecordService } from '@attest/processing-application';
import { REQUESTS_READ_MODEL, type RequestsReadModel } from '@attest/requests-application';
import type { ProcessingEntry, ProcessingJournal } from '@attest/security';
import { ApiHarness } from './testing/api-harness';
import { NEWSLETTER_PURPOSE } from './testing/newsletter-purpose';
import { ContextSubjectExport } from './subject-export';

/**
 * The access export as a download (`open`): the same document as `build`, streamed a page of
 * processing records at a time, recorded before its first piece, reading at most a few pages
 * ahead, and cut — never ended as if whole — when a read fails midway. Real Postgres, the app's
 * own read models and processing record; the journal is a list here, so that the record's pages
 * do not change between the two reads compared (the real journal's entries are checked in
 * requests.e2e).
 */
describe('access export, streamed (D1; real Postgres)', () => {
  const api = new ApiHarness();
  const clock = new FixedClock(new Date('2026-12-01T09:00:00.000Z'));
  let customerId: string;
  let tenantId: string;
  const context = (): { tenantId: string; actor: string; correlationId: string; commandId: string } => ({
    tenantId,
    actor: 'user:handler',
    correlationId: uuidv7(),
    commandId: uuidv7(),
  });

  beforeAll(async () => {
    await api.start('subject-export');
    tenantId = 'subject-export';
    const service = await api.key(tenantId, ['org-admin', 'service']);
    expect((await api.call('POST', '/v1/purposes', { key: service, body: NEWSLETTER_PURPOSE })).status).toBe(201);
    const created = await api.call('POST', '/v1/customers', {
      key: service,
      body: { profile: { name: 'Export Subject', email: 'export.subject@example.org' }, tags: [] },
    });
    customerId = (created.body as { id: string }).id;
    // Nine decisions: nine processing records about the subject, besides its collection.
    for (let i = 0; i < 9; i++)
      expect(
        (await api.call('POST', '/v1/decisions', { key: service, body: { customerId, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'] } }))
          .status,
      ).toBe(200);
    await api.infra.recordLog.drain();
  }, 120_000);

  afterAll(async () => {
    await api.stop();
  });

  /** The export with pages of `page` records, its record service counted (and failing at `failAt`), its journal a list. */
  function exporter(page: number, failAt?: number): { made: ContextSubjectExport; queries: () => number; recorded: ProcessingEntry[] } {
    const record = api.app.get<ProcessingRecordService>(PROCESSING_RECORD);
    let queries = 0;
    const counted = new Proxy(record, {
      get(target, name, receiver) {
        if (name !== 'query') return Reflect.get(target, name, receiver) as unknown;
        return (...args: Parameters<ProcessingRecordService['query']>) => {
          queries += 1;
          if (queries === failAt) return Promise.reject(new Error('the database went away'));
          return target.query(...args);
        };
      },
    });
    const recorded: ProcessingEntry[] = [];
    const journal: ProcessingJournal = {
      record: (entries) => {
        recorded.push(...entries);
        return Promise.resolve(entries.map(() => uuidv7()));
      },
    };
    const made = new ContextSubjectExport(
      api.app.get(QueryBus),
      api.app.get<CustomersReadModel>(CUSTOMERS_READ_MODEL),
      counted,
      api.app.get<RequestsReadModel>(REQUESTS_READ_MODEL),
      journal,
      clock,
      page,
    );
    return { made, queries: () => queries, recorded };
  }

  async function text(pieces: AsyncIterable<string>): Promise<string> {
    let all = '';
    for await (const piece of pieces) all += piece;
    return all;
  }

  it('streams, page by page, exactly the text of the whole document, after recording the export', async () => {
    const whole = await exporter(1_000).made.build(context(), customerId, uuidv7());
    expect(whole.processing.length).toBe(10);
    for (const page of [1, 2, 3, 10, 11]) {
      const { made, queries, recorded } = exporter(page);
      const requestId = whole.requestId;
      const pieces = await made.open(context(), customerId, requestId);
      // Recorded before anything is sent.
      expect(recorded.map((e) => [e.kind, e.subjectId])).toEqual([['export', customerId]]);
      expect(await text(pieces)).toBe(JSON.stringify(whole));
      // One read per page (a page says whether another follows).
      expect({ page, queries: queries() }).toEqual({ page, queries: Math.ceil(10 / page) });
    }
  });

  it('reads at most three pages ahead of a reader that does not take them', async () => {
    const { made, queries } = exporter(1);
    const pieces = (await made.open(context(), customerId, uuidv7()))[Symbol.asyncIterator]();
    // Each page is asked for on the arrival of the one before: three, then no more while none is taken.
    await expectEventually(() => {
      expect(queries()).toBe(3);
    }, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(queries()).toBe(3);
    await pieces.next(); // the head: no page taken yet
    await pieces.next(); // the first page: room for one more
    await expectEventually(() => {
      expect(queries()).toBe(4);
    }, 5_000);
  });

  it('a first page that cannot be read fails the export before anything is recorded or sent', async () => {
    const { made, recorded, queries } = exporter(2, 1);
    await expect(made.open(context(), customerId, uuidv7())).rejects.toThrow('the database went away');
    expect(recorded).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(queries()).toBe(1);
  });

  it('a read that fails midway makes the pieces throw after what was sent, not end', async () => {
    const { made } = exporter(2, 3);
    const pieces = await made.open(context(), customerId, uuidv7());
    const sent: string[] = [];
    await expect(
      (async () => {
        for await (const piece of pieces) sent.push(piece);
      })(),
    ).rejects.toThrow('the database went away');
    expect(sent.length).toBeGreaterThan(1);
    expect(() => JSON.parse(sent.join('')) as unknown).toThrow();
  });

  it('over HTTP, a stream that fails after its first piece cuts the connection: the client never gets a whole-looking body', async () => {
    @Controller()
    class Cut {
      @Get('cut')
      cut(): StreamableFile {
        return new StreamableFile(
          Readable.from(
            (async function* pieces(): AsyncGenerator<string> {
              yield '{"processing":[';
              await new Promise((resolve) => setTimeout(resolve, 20));
              throw new Error('the database went away');
            })(),
          ),
          { type: 'application/json; charset=utf-8' },
        );
      }
    }
    @Module({ controllers: [Cut] })
    class CutModule {}
    const app = await NestFactory.create<NestFastifyApplication>(CutModule, new FastifyAdapter(), { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`${await app.getUrl()}/cut`);
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
    } finally {
      await app.close();
    }
  });
});
