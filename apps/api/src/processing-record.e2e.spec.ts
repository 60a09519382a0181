import { execFile, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FixedClock } from '@attest/kernel';
import { verifyBundle, type RecordBundle } from '@attest/processing-application';
import { decodeRecord } from '@attest/processing-domain';
import { processingRecordVerificationJob } from '@attest/processing-infrastructure';
import { expectEventually } from '@attest/testing';
import { leafHashOfText, openCheckpoint, parseVerifierKey, verifyConsistency, verifyInclusion } from '@attest/transparency';
import { ApiHarness, type ApiResponse } from './testing/api-harness';
import { changesWhenDeliveredTwice } from './testing/delivered-twice';

const tag = randomBytes(3).toString('hex');
const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

interface Checkpoint {
  size: number;
  root: string;
  note: string;
}

const activity = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  controller: { name: 'Shop Ltd', contact: 'privacy@shop.example' },
  dataProtectionOfficer: 'dpo@shop.example',
  purposes: ['newsletter'],
  legalBasis: 'consent',
  dataSubjectCategories: ['customers'],
  dataCategories: ['contact'],
  recipients: ['mail service provider'],
  transfers: [],
  erasureTimeLimit: '2 years after the last contact',
  securityMeasures: ['per-subject encryption'],
  sensitiveData: false,
  automatedDecisionMaking: false,
  entrustedProcessing: false,
  providedToOthers: false,
  publicDisclosure: false,
  ...extra,
});

describe('the processing record and the register through the API (P1, P2, P4–P6; real HTTP, real Postgres)', () => {
  const clock = new FixedClock(new Date());
  const api = new ApiHarness();
  let tenantId: string;
  let officer: string;
  let service: string;
  let alice: string;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of a JSON body
  const body = <T>(res: ApiResponse): T => res.body as T;
  const rows = async (): Promise<number> => {
    await api.infra.recordLog.drain();
    return Number(
      (await api.infra.dataSource.query<{ n: string }[]>(`SELECT count(*)::text AS n FROM processing.records WHERE tenant_id = $1`, [tenantId]))[0]?.n,
    );
  };
  const decide = async (): Promise<void> => {
    const r = await api.call('POST', '/v1/decisions', {
      key: service,
      body: { customerId: alice, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'] },
    });
    expect(r.status).toBe(200);
  };

  beforeAll(async () => {
    await api.start('processing_record_e2e', { clock });
    const registered = await api.call('POST', '/v1/registrations/enterprise', {
      body: {
        tenantId: `rec-${tag}`,
        legalName: 'Shop Ltd',
        registrationNumber: `REC${tag}01`,
        contact: { name: 'Shop Contact', email: `c.${tag}@example.org` },
        evidence: { documentRef: 's.pdf', sha256: 'e'.repeat(64) },
      },
    });
    tenantId = body<{ tenantId: string }>(registered).tenantId;
    officer = await api.key(tenantId, ['compliance-officer']);
    service = await api.key(tenantId, ['service']);
    const admin = await api.key(tenantId, ['org-admin']);
    await api.call('POST', '/v1/purposes', {
      key: admin,
      body: {
        purposeKey: 'newsletter',
        name: 'Newsletter',
        description: 'News',
        legalBasis: 'consent',
        method: 'bulk-email',
        dataCategories: ['contact'],
        channels: ['email'],
        retentionDays: 730,
        noticeVersion: 'notice-1',
      },
    });
    alice = body<{ id: string }>(
      await api.call('POST', '/v1/customers', { key: service, body: { profile: { name: `Alice ${tag}`, email: `alice.${tag}@example.org` }, tags: [] } }),
    ).id;
    const granted = await api.call('POST', `/v1/customers/${alice}/consents`, {
      key: service,
      body: {
        purposeKey: 'newsletter',
        channel: 'email',
        scope: 'general',
        evidence: { noticeVersion: 'notice-1', method: 'checkbox', source: 'web', collector: 'system:web', collectedAt: clock.now().toISOString() },
      },
    });
    expect(granted.status).toBe(201);
    await decide();
    // Events reach the record through the projection; decisions directly.
    await expectEventually(async () => {
      expect(await rows()).toBeGreaterThanOrEqual(4);
    }, 15_000);
  }, 60_000);

  afterAll(async () => {
    await api.stop();
  });

  it('P2: only roles with processing-record permissions read it; only the compliance officer signs and exports', async () => {
    expect((await api.call('GET', '/v1/processing-record', { key: service })).body).toMatchObject({ status: 403, code: 'AUTH.FORBIDDEN' });
    const dpo = await api.key(tenantId, ['dsr-handler']);
    expect((await api.call('GET', '/v1/processing-record', { key: dpo })).status).toBe(200);
    expect((await api.call('POST', '/v1/processing-record/checkpoints', { key: dpo })).status).toBe(403);
    expect((await api.call('POST', '/v1/processing-record/exports', { key: dpo, body: { complete: true } })).status).toBe(403);
  });

  it('P2: signs checkpoints on demand that standard C2SP tooling can open; entries and proofs verify against them', async () => {
    const described = body<{ origin: string; verifierKey: string; latestCheckpoint: Checkpoint | null }>(
      await api.call('GET', '/v1/processing-record', { key: officer }),
    );
    expect(described.origin.endsWith(`/${tenantId}`)).toBe(true);
    // The first checkpoint was signed as soon as the log first grew: a new log is never "entries but no checkpoint".
    const auto = described.latestCheckpoint;
    expect(auto?.size).toBeGreaterThan(0);
    expect(body<Checkpoint>(await api.call('GET', '/v1/processing-record/checkpoints/latest', { key: officer })).size).toBe(auto?.size);
    const verifier = parseVerifierKey(described.verifierKey);

    const first = await api.call('POST', '/v1/processing-record/checkpoints', { key: officer });
    expect(first.status).toBe(201);
    const c1 = body<Checkpoint>(first);
    expect(c1.size).toBe(await rows());
    const opened = openCheckpoint(c1.note, [verifier]);
    expect(opened).toMatchObject({ origin: described.origin, size: c1.size });
    expect(opened.root.toString('base64')).toBe(c1.root);
    expect(body<Checkpoint>(await api.call('GET', '/v1/processing-record/checkpoints/latest', { key: officer }))).toMatchObject({
      size: c1.size,
      note: c1.note,
    });

    for (let index = 0; index < c1.size; index++) {
      const entry = body<{ index: number; leafHash: string; body: string }>(await api.call('GET', `/v1/processing-record/entries/${index}`, { key: officer }));
      expect(leafHashOfText(entry.body).toString('base64')).toBe(entry.leafHash);
      const record = decodeRecord(entry.body);
      expect(record).toMatchObject({ tenant: tenantId, index });
      // P1/D4: no customer id or name inside; the subject is a pseudonym.
      expect(entry.body).not.toContain(alice);
      expect(entry.body).not.toContain(`Alice ${tag}`);
      if (record.subject !== null) expect(record.subject).toMatch(/^psn_/);
      const proof = body<{ leafHash: string; proof: string[] }>(
        await api.call('GET', `/v1/processing-record/proofs/inclusion?index=${index}&size=${c1.size}`, { key: officer }),
      );
      expect(() => {
        verifyInclusion(index, c1.size, b64(proof.leafHash), proof.proof.map(b64), b64(c1.root));
      }).not.toThrow();
    }

    await decide();
    await decide();
    const c2 = body<Checkpoint>(await api.call('POST', '/v1/processing-record/checkpoints', { key: officer }));
    expect(c2.size).toBe(c1.size + 2);
    const consistency = body<{ proof: string[] }>(
      await api.call('GET', `/v1/processing-record/proofs/consistency?from=${c1.size}&to=${c2.size}`, { key: officer }),
    );
    expect(() => {
      verifyConsistency(c1.size, c2.size, consistency.proof.map(b64), b64(c1.root), b64(c2.root));
    }).not.toThrow();
    expect(body<Checkpoint[]>(await api.call('GET', `/v1/processing-record/checkpoints?size=${c1.size}`, { key: officer })).map((c) => c.note)).toEqual([
      c1.note,
    ]);
    const sizes = body<Checkpoint[]>(await api.call('GET', '/v1/processing-record/checkpoints', { key: officer })).map((c) => c.size);
    // Other specs of this file may have signed checkpoints too: these are among them, in order, c2 the latest.
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(sizes).toEqual(expect.arrayContaining([c1.size, c2.size]));
    expect(sizes.at(-1)).toBe(c2.size);
    // Asking again at the same size signs nothing new.
    expect(body<Checkpoint>(await api.call('POST', '/v1/processing-record/checkpoints', { key: officer })).note).toBe(c2.note);
    expect(
      body<{ ok: boolean; size: number; uncovered: number; checkpointsChecked: number }>(
        await api.call('GET', '/v1/processing-record/verification', { key: officer }),
      ),
    ).toMatchObject({
      ok: true,
      size: c2.size,
      uncovered: 0,
      checkpointsChecked: sizes.length,
    });
  });

  it('answers bad positions, sizes and cursors with problem+json and stable codes', async () => {
    // The whole log signed, so that `n` is its size whatever ran before.
    await rows();
    const n = body<Checkpoint>(await api.call('POST', '/v1/processing-record/checkpoints', { key: officer })).size;
    expect((await api.call('GET', '/v1/processing-record/entries/999999', { key: officer })).body).toMatchObject({ status: 404, code: 'RECORD.NOT_FOUND' });
    expect((await api.call('GET', `/v1/processing-record/proofs/inclusion?index=0&size=${n + 1}`, { key: officer })).body).toMatchObject({
      status: 400,
      code: 'RECORD.SIZE_OUT_OF_RANGE',
    });
    expect((await api.call('GET', `/v1/processing-record/proofs/inclusion?index=${n}&size=${n}`, { key: officer })).body).toMatchObject({
      status: 400,
      code: 'RECORD.INDEX_OUT_OF_RANGE',
    });
    expect((await api.call('GET', `/v1/processing-record/proofs/consistency?from=0&to=${n}`, { key: officer })).body).toMatchObject({
      status: 400,
      code: 'VALIDATION.FAILED',
      errors: [{ field: 'from', code: 'min' }],
    });
    // Numbers past the store's range, past 2^53, or negative are refused as such: never a 500, never a nearby entry.
    for (const [path, field] of [
      ['/v1/processing-record/entries/99999999999999999999', 'index'],
      ['/v1/processing-record/entries/9007199254740993', 'index'],
      ['/v1/processing-record/entries/-1', 'index'],
      ['/v1/processing-record/checkpoints?size=99999999999999999999', 'size'],
      ['/v1/processing-record/checkpoints?size=-1', 'size'],
    ] as const) {
      expect([path, (await api.call('GET', path, { key: officer })).body]).toMatchObject([
        path,
        { status: 400, code: 'VALIDATION.FAILED', errors: [{ field }] },
      ]);
    }
    expect((await api.call('GET', '/v1/processing-record/proofs/consistency?from=x&to=2', { key: officer })).status).toBe(400);
    expect((await api.call('GET', '/v1/processing-record/records?cursor=bm90LWEtY3Vyc29y', { key: officer })).body).toMatchObject({
      status: 400,
      code: 'RECORD.BAD_CURSOR',
    });
    expect((await api.call('GET', '/v1/processing-record/records?kind=gossip', { key: officer })).status).toBe(400);
    expect((await api.call('GET', '/v1/processing-record/records?outcome=maybe', { key: officer })).body).toMatchObject({
      status: 400,
      errors: [{ field: 'outcome' }],
    });
    expect((await api.call('GET', '/v1/processing-record/records?channel=E%20MAIL', { key: officer })).body).toMatchObject({
      status: 400,
      errors: [{ field: 'channel' }],
    });
  });

  it('P1/K1: a decision’s record names the consents it rested on, and each leads to the receipt of its grant', async () => {
    const decision = body<{ allow: boolean; consentIds: string[]; asOf: string | null }>(
      await api.call('POST', '/v1/decisions', {
        key: service,
        body: { customerId: alice, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'] },
      }),
    );
    expect(decision.allow).toBe(true);
    expect(decision.consentIds).toHaveLength(1);
    await rows();
    type Entry = { index: number; kind: string; consents: string[]; v: number; asOf: string | null };
    const [newest] = body<{ records: Entry[] }>(
      await api.call('GET', `/v1/processing-record/records?subjectId=${alice}&kind=decision&limit=1`, { key: officer }),
    ).records;
    // ADR 0016: the record says which state of the log the decision's facts reflected.
    expect(decision.asOf).toMatch(/^pg:/);
    expect(newest).toMatchObject({ kind: 'decision', consents: decision.consentIds, v: 3, asOf: decision.asOf });
    // The consents and the position are in the hashed body itself, not only in the API's view of it.
    const entry = body<{ body: string }>(await api.call('GET', `/v1/processing-record/entries/${newest?.index}`, { key: officer }));
    expect(entry.body).toContain(`"consents":${JSON.stringify(decision.consentIds)}`);
    expect(entry.body).toContain(`"asOf":${JSON.stringify(decision.asOf)}`);
    const receipt = body<{ action: string; consentId: string; subjectId: string; purpose: { key: string } }>(
      await api.call('GET', `/v1/consent-receipts?consentId=${decision.consentIds[0]}`, { key: officer }),
    );
    expect(receipt).toMatchObject({ action: 'granted', consentId: decision.consentIds[0], subjectId: alice, purpose: { key: 'newsletter' } });
    // Exactly one of eventId and consentId; an unknown consent has no receipt.
    for (const query of [`eventId=${randomUUID()}&consentId=${randomUUID()}`, '']) {
      expect((await api.call('GET', `/v1/consent-receipts?${query}`, { key: officer })).body).toMatchObject({
        status: 400,
        code: 'RECEIPT.LOOKUP_AMBIGUOUS',
      });
    }
    expect((await api.call('GET', `/v1/consent-receipts?consentId=${randomUUID()}`, { key: officer })).body).toMatchObject({
      status: 404,
      code: 'RECEIPT.NOT_FOUND',
    });
  });

  it('P1/8: finds records by subject, kind, purpose and time, newest first, paged', async () => {
    // Alice's own decisions, whatever ran before: two here, with the grant and the decision of the setup.
    type Page = { records: { index: number; kind: string; subject: string | null; purpose: string | null; at: string }[]; next: string | null };
    const decisionsBefore = body<Page>(await api.call('GET', `/v1/processing-record/records?kind=decision&purpose=newsletter&limit=200`, { key: officer }))
      .records.length;
    await decide();
    await decide();
    await rows();
    const pseudonym = await api.infra.privacy.pseudonymForSearch(tenantId, alice);
    const all = body<Page>(await api.call('GET', `/v1/processing-record/records?subjectId=${alice}&limit=200`, { key: officer }));
    expect(all.records.length).toBeGreaterThanOrEqual(4);
    expect(all.records.every((r) => r.subject === pseudonym)).toBe(true);
    const ats = all.records.map((r) => `${r.at}|${String(r.index).padStart(10, '0')}`);
    expect([...ats].sort().reverse()).toEqual(ats);

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = body<Page>(
        await api.call('GET', `/v1/processing-record/records?subjectId=${alice}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: officer }),
      );
      expect(page.records.length).toBeLessThanOrEqual(2);
      seen.push(...page.records.map((r) => r.index));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(all.records.map((r) => r.index));
    // Oldest first: the same records in the opposite order, paged too; a cursor belongs to its order.
    const oldestSeen: number[] = [];
    let firstCursor: string | null = null;
    cursor = null;
    do {
      const page: Page = body<Page>(
        await api.call('GET', `/v1/processing-record/records?subjectId=${alice}&order=oldest&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: officer }),
      );
      oldestSeen.push(...page.records.map((r) => r.index));
      cursor = page.next;
      firstCursor ??= cursor;
    } while (cursor);
    expect(oldestSeen).toEqual([...seen].reverse());
    const newestCursor = body<Page>(await api.call('GET', `/v1/processing-record/records?subjectId=${alice}&limit=2`, { key: officer })).next;
    expect(
      (await api.call('GET', `/v1/processing-record/records?subjectId=${alice}&order=oldest&cursor=${newestCursor ?? ''}`, { key: officer })).body,
    ).toMatchObject({
      status: 400,
      code: 'RECORD.BAD_CURSOR',
    });
    expect((await api.call('GET', `/v1/processing-record/records?subjectId=${alice}&cursor=${firstCursor ?? ''}`, { key: officer })).body).toMatchObject({
      status: 400,
      code: 'RECORD.BAD_CURSOR',
    });
    expect((await api.call('GET', `/v1/processing-record/records?order=sideways`, { key: officer })).status).toBe(400);

    const decisions = body<Page>(await api.call('GET', `/v1/processing-record/records?kind=decision&purpose=newsletter&limit=200`, { key: officer }));
    expect(decisions.records.length).toBe(decisionsBefore + 2);
    expect(decisions.records.every((r) => r.kind === 'decision' && r.purpose === 'newsletter')).toBe(true);
    // By channel and by the decision's outcome: the same decisions (all on email, all allowed); none on another channel or denied.
    type Decided = { records: { index: number; channel: string | null; outcome: string | null }[] };
    const email = body<Decided>(
      await api.call('GET', `/v1/processing-record/records?channel=email&outcome=allow&purpose=newsletter&limit=200`, { key: officer }),
    );
    expect(email.records.map((r) => r.index)).toEqual(decisions.records.map((r) => r.index));
    expect(email.records.every((r) => r.channel === 'email' && r.outcome === 'allow')).toBe(true);
    expect(body<Decided>(await api.call('GET', `/v1/processing-record/records?channel=sms`, { key: officer })).records).toEqual([]);
    expect(body<Decided>(await api.call('GET', `/v1/processing-record/records?outcome=deny&channel=email`, { key: officer })).records).toEqual([]);
    const future = new Date(clock.now().getTime() + 86_400_000).toISOString();
    expect(body<Page>(await api.call('GET', `/v1/processing-record/records?from=${future}`, { key: officer })).records).toEqual([]);
  });

  it('P2: the checkpoint history, newest first, a page at a time, covers exactly the signed checkpoints', async () => {
    type View = { size: number; root: string; createdAt: string };
    for (let i = 0; i < 3; i++) {
      await decide();
      await expectEventually(async () => {
        const signed = await api.call('POST', '/v1/processing-record/checkpoints', { key: officer });
        expect(signed.status).toBe(201);
        const all = body<View[]>(await api.call('GET', '/v1/processing-record/checkpoints', { key: officer }));
        expect(new Set(all.map((c) => c.size)).size).toBeGreaterThanOrEqual(i + 2);
      }, 15_000);
    }
    const all = body<View[]>(await api.call('GET', '/v1/processing-record/checkpoints', { key: officer }));
    const paged: View[] = [];
    let cursor: string | null = null;
    do {
      const page: { checkpoints: View[]; next: string | null } = body(
        await api.call('GET', `/v1/processing-record/checkpoints/history?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: officer }),
      );
      expect(page.checkpoints.length).toBeLessThanOrEqual(2);
      paged.push(...page.checkpoints);
      cursor = page.next;
    } while (cursor);
    const newestFirst = [...all].sort((a, b) => b.size - a.size || b.createdAt.localeCompare(a.createdAt));
    expect(paged.map((c) => [c.size, c.root])).toEqual(newestFirst.map((c) => [c.size, c.root]));
    expect((await api.call('GET', '/v1/processing-record/checkpoints/history?cursor=bm90LWEtY3Vyc29y', { key: officer })).body).toMatchObject({
      status: 400,
      code: 'RECORD.BAD_CURSOR',
    });
    expect((await api.call('GET', '/v1/processing-record/checkpoints/history?cursor=***', { key: officer })).body).toMatchObject({
      status: 400,
      code: 'RECORD.BAD_CURSOR',
    });
    expect((await api.call('GET', '/v1/processing-record/checkpoints/history?limit=501', { key: officer })).body).toMatchObject({
      status: 400,
      errors: [{ field: 'limit' }],
    });
  });

  it('P2: the server’s verification is kept: asked for now, and by the daily job; listed newest first', async () => {
    type Run = { runId: string; trigger: string; requestedBy: string | null; problemCount: number; report: { ok: boolean; size: number; tenantId: string } };
    const asked = await api.call('POST', '/v1/processing-record/verification-runs', { key: officer });
    expect(asked.status).toBe(201);
    const run = body<Run>(asked);
    expect(run).toMatchObject({
      trigger: 'on-demand',
      requestedBy: expect.stringMatching(/^apiKey:/) as unknown,
      problemCount: 0,
      report: { ok: true, tenantId },
    });
    expect(run.report.size).toBeGreaterThan(0);

    // The daily job verifies every tenant with a log (a dry run only says which), and keeps a scheduled run for ours.
    const job = processingRecordVerificationJob({ owner: api.infra.dataSource, log: api.infra.recordLog });
    const planned = await job.run({ now: clock.now(), dryRun: true });
    expect(planned.planned?.some((line) => line.startsWith(`${tenantId}: would verify`))).toBe(true);
    expect(body<Run[]>(await api.call('GET', '/v1/processing-record/verification-runs', { key: officer })).map((r) => r.runId)).toEqual([run.runId]);
    const done = await job.run({ now: clock.now(), dryRun: false });
    expect(done.counts).toMatchObject({ failed: 0 });
    expect(done.counts['passed']).toBe(done.counts['tenants']);

    const runs = body<Run[]>(await api.call('GET', '/v1/processing-record/verification-runs', { key: officer }));
    expect(runs.map((r) => [r.trigger, r.requestedBy])).toEqual([
      ['scheduled', null],
      ['on-demand', run.requestedBy],
    ]);
    expect(body<Run[]>(await api.call('GET', '/v1/processing-record/verification-runs?limit=1', { key: officer })).map((r) => r.trigger)).toEqual([
      'scheduled',
    ]);
    expect((await api.call('GET', '/v1/processing-record/verification-runs?limit=0', { key: officer })).body).toMatchObject({
      status: 400,
      errors: [{ field: 'limit' }],
    });
    // Kept runs are part of the record: nobody changes or removes one.
    await expect(api.infra.dataSource.query(`DELETE FROM processing.verification_runs WHERE run_id = $1`, [run.runId])).rejects.toThrow(/append-only/);
  });

  it('P2: exports a bundle for a regulator that verifies offline (whole or by subject), and records the export itself', async () => {
    const verifierKey = body<{ verifierKey: string }>(await api.call('GET', '/v1/processing-record', { key: officer })).verifierKey;
    const verifier = parseVerifierKey(verifierKey);
    // Alice's own records, whatever else ran: created, consented, and two decisions (set-up made one).
    const made = await rows();
    await decide();
    await expectEventually(async () => {
      expect(await rows()).toBeGreaterThan(made);
    }, 15_000);
    const before = await rows();
    const whole = body<RecordBundle>(await api.call('POST', '/v1/processing-record/exports', { key: officer, body: { complete: true } }));
    expect(whole).toMatchObject({ format: 'attest-processing-record-bundle/v1', tenantId, complete: true, verifierKey });
    expect(verifyBundle(whole, [verifier])).toMatchObject({ ok: true, size: before });
    expect(await rows()).toBe(before + 1);
    const exported = body<{ records: { kind: string; purpose: string; actor: string }[] }>(
      await api.call('GET', '/v1/processing-record/records?kind=export', { key: officer }),
    );
    expect(exported.records[0]).toMatchObject({ kind: 'export', purpose: 'compliance-audit', actor: expect.stringMatching(/^apiKey:/) as unknown });

    const selected = body<RecordBundle>(await api.call('POST', '/v1/processing-record/exports', { key: officer, body: { subjectId: alice } }));
    expect(selected.complete).toBe(false);
    expect(selected.entries.length).toBeGreaterThanOrEqual(4);
    expect(verifyBundle(selected, [verifier])).toMatchObject({ ok: true, problems: [] });
    const changed = {
      ...selected,
      entries: selected.entries.map((e, i) => (i === 0 ? { ...e, body: (e.body ?? '').replace('"actor":"', '"actor":"forged-') } : e)),
    };
    expect(verifyBundle(changed, [verifier]).ok).toBe(false);
  });

  it('P1: exports exactly the explorer’s filter and columns as CSV and JSON, refuses unknown columns, and records each export', async () => {
    type Page = { records: Record<string, unknown>[] };
    await decide();
    const filter = `subjectId=${alice}&kind=decision`;
    const listed = body<Page>(await api.call('GET', `/v1/processing-record/records?${filter}&limit=200`, { key: officer })).records;
    expect(listed.length).toBeGreaterThanOrEqual(1);
    const json = body<{ columns: string[]; records: Record<string, unknown>[] }>(
      await api.call('GET', `/v1/processing-record/records/export.json?${filter}&columns=outcome,at,kind`, { key: officer }),
    );
    // The index first, then the chosen columns in the table's order; the rows the explorer lists, in its order.
    expect(json.columns).toEqual(['index', 'at', 'kind', 'outcome']);
    expect(json.records).toEqual(listed.map((r) => ({ index: r['index'], at: r['at'], kind: r['kind'], outcome: r['outcome'] })));
    const csv = await api.call('GET', `/v1/processing-record/records/export.csv?${filter}&columns=kind,reasons`, { key: officer });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="processing-record.csv"');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('index,kind,reasons');
    expect(lines.slice(1)).toEqual(listed.map((r) => `${String(r['index'])},decision,${(r['reasons'] as string[]).join(';')}`));
    expect((await api.call('GET', '/v1/processing-record/records/export.csv?columns=kind,secret', { key: officer })).body).toMatchObject({
      status: 400,
      code: 'RECORD.UNKNOWN_COLUMN',
    });
    // Who looked: each table export is itself a record, with its format.
    const exports = body<Page>(await api.call('GET', '/v1/processing-record/records?kind=export&limit=200', { key: officer })).records;
    expect(exports.slice(0, 2).map((r) => r['method'])).toEqual(['processing-record-table:csv', 'processing-record-table:json']);
    expect(exports[0]).toMatchObject({ purpose: 'compliance-audit', legalBasis: 'legal-obligation', actor: expect.stringMatching(/^apiKey:/) as unknown });
  });

  it('P2/6: places, lists and releases legal holds', async () => {
    const placed = await api.call('POST', '/v1/processing-record/legal-holds', { key: officer, body: { reason: 'Litigation 2026-117: preserve all records' } });
    expect(placed.status).toBe(201);
    const hold = body<{ holdId: string; releasedAt: string | null }>(placed);
    expect(hold.releasedAt).toBeNull();
    expect(body<{ holdId: string }[]>(await api.call('GET', '/v1/processing-record/legal-holds', { key: officer })).map((h) => h.holdId)).toContain(
      hold.holdId,
    );
    const released = await api.call('POST', `/v1/processing-record/legal-holds/${hold.holdId}/release`, { key: officer });
    expect(body<{ releasedAt: string | null }>(released).releasedAt).not.toBeNull();
    expect((await api.call('POST', `/v1/processing-record/legal-holds/${hold.holdId}/release`, { key: officer })).body).toMatchObject({
      status: 404,
      code: 'LEGAL_HOLD.NOT_ACTIVE',
    });
    expect((await api.call('POST', '/v1/processing-record/legal-holds', { key: officer, body: { reason: 'line\nbreak' } })).status).toBe(400);
  });

  it('P4/P5: versions activities, flags those needing an assessment, exports JSON, CSV and HTML safely; links assessments', async () => {
    const created = await api.call('POST', '/v1/processing-activities', { key: officer, body: activity('Newsletter') });
    expect(created.status).toBe(201);
    const v1 = body<{ activityId: string; version: number; assessmentRequired: boolean }>(created);
    expect(v1).toMatchObject({ version: 1, assessmentRequired: false });
    const v2 = body<{ version: number; assessmentRequired: boolean }>(
      await api.call('PUT', `/v1/processing-activities/${v1.activityId}`, {
        key: officer,
        body: activity('Newsletter', { transfers: [{ country: 'US', safeguards: 'SCC 2021/914' }] }),
      }),
    );
    expect(v2).toMatchObject({ version: 2, assessmentRequired: true });
    expect(
      body<{ version: number }[]>(await api.call('GET', `/v1/processing-activities/${v1.activityId}/versions`, { key: officer })).map((v) => v.version),
    ).toEqual([1, 2]);
    await api.call('POST', '/v1/processing-activities', { key: officer, body: activity('=HYPERLINK("http://x")<script>') });
    const current = body<{ activityId: string; version: number }[]>(await api.call('GET', '/v1/processing-activities', { key: officer }));
    expect(current.find((a) => a.activityId === v1.activityId)?.version).toBe(2);

    const csv = await api.call('GET', '/v1/processing-activities/export.csv', { key: officer });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    const html = await api.call('GET', '/v1/processing-activities/export.html', { key: officer });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain('&lt;script&gt;');
    expect(html.text).not.toContain('<script>');
    // In Simplified Chinese, dates in the reader's zone; an unknown zone is refused.
    const zh = await api.call('GET', '/v1/processing-activities/export.html?lang=zh-CN&tz=Asia/Shanghai', { key: officer });
    expect(zh.text).toContain('个人信息处理活动记录');
    expect(zh.text).toContain('中国标准时间');
    expect((await api.call('GET', '/v1/processing-activities/export.html?tz=Mars/Olympus_Mons', { key: officer })).body).toMatchObject({
      status: 400,
      code: 'VALIDATION.FAILED',
      errors: [{ field: 'tz' }],
    });
    expect(body<unknown[]>(await api.call('GET', '/v1/processing-activities/export.json', { key: officer }))).toHaveLength(2);
    expect(
      (await api.call('PUT', `/v1/processing-activities/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, { key: officer, body: activity('x') })).body,
    ).toMatchObject({ status: 404, code: 'ACTIVITY.NOT_FOUND' });

    const assessment = {
      activityIds: [v1.activityId],
      assessedOn: clock.now().toISOString().slice(0, 10),
      assessor: 'privacy team',
      lawfulnessAndNecessity: 'Consent; transfer needed for the mail provider',
      impactOnRights: 'Low',
      risks: ['foreign access'],
      measures: ['SCC', 'encryption'],
      conclusion: 'acceptable-with-measures',
    };
    expect((await api.call('POST', '/v1/impact-assessments', { key: officer, body: assessment })).status).toBe(201);
    expect(
      (
        await api.call('POST', '/v1/impact-assessments', {
          key: officer,
          body: { ...assessment, activityIds: [`${'1'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`] },
        })
      ).body,
    ).toMatchObject({
      status: 400,
      code: 'ASSESSMENT.UNKNOWN_ACTIVITY',
    });
    expect(body<unknown[]>(await api.call('GET', '/v1/impact-assessments', { key: officer }))).toHaveLength(1);
    expect((await api.call('POST', '/v1/processing-activities', { key: service, body: activity('x') })).status).toBe(403);
  });

  it('P6: keeps the 72-hour clock of an incident and its notifications', async () => {
    const awareAt = new Date(clock.now().getTime() - 80 * 3_600_000).toISOString();
    const reported = await api.call('POST', '/v1/incidents', {
      key: officer,
      body: {
        kind: 'leak',
        description: 'Export file left on a shared drive',
        awareAt,
        dataCategories: ['contact'],
        affectedSubjectsEstimate: 120,
        likelyConsequences: 'Phishing',
      },
    });
    expect(reported.status).toBe(201);
    const incident = body<{ incidentId: string; authorityDeadline: string; overdue: boolean }>(reported);
    expect(incident.authorityDeadline).toBe(new Date(Date.parse(awareAt) + 72 * 3_600_000).toISOString());
    expect(incident.overdue).toBe(true);
    const path = `/v1/incidents/${incident.incidentId}/updates`;
    expect(
      (await api.call('POST', path, { key: officer, body: { type: 'authority-notified', at: clock.now().toISOString(), authority: 'DPA' } })).body,
    ).toMatchObject({
      status: 400,
      code: 'INCIDENT.UPDATE_INCOMPLETE',
    });
    const notified = body<{ overdue: boolean; notifiedWithinDeadline: boolean; authorityNotifiedAt: string }>(
      await api.call('POST', path, {
        key: officer,
        body: {
          type: 'authority-notified',
          at: clock.now().toISOString(),
          authority: 'DPA',
          reference: 'DPA-2026-1',
          delayReason: 'Scope unknown until forensics',
        },
      }),
    );
    expect(notified).toMatchObject({ overdue: false, notifiedWithinDeadline: false });
    expect(
      (
        await api.call('POST', path, {
          key: officer,
          body: { type: 'authority-notified', at: clock.now().toISOString(), authority: 'DPA', reference: 'again' },
        })
      ).body,
    ).toMatchObject({
      status: 409,
      code: 'INCIDENT.ALREADY_NOTIFIED',
    });
    await api.call('POST', path, { key: officer, body: { type: 'remedy', at: clock.now().toISOString(), description: 'Drive permissions fixed' } });
    const closed = body<{ closedAt: string | null; remedies: unknown[] }>(
      await api.call('POST', path, { key: officer, body: { type: 'closed', at: clock.now().toISOString(), summary: 'Done' } }),
    );
    expect(closed.closedAt).not.toBeNull();
    expect(closed.remedies).toHaveLength(1);
    expect((await api.call('POST', path, { key: officer, body: { type: 'remedy', at: clock.now().toISOString(), description: 'late' } })).body).toMatchObject({
      status: 409,
      code: 'INCIDENT.CLOSED',
    });
    expect(body<{ incidentId: string }[]>(await api.call('GET', '/v1/incidents', { key: officer })).map((i) => i.incidentId)).toEqual([incident.incidentId]);
    expect(
      body<{ incidentId: string; closedAt: string | null }>(await api.call('GET', `/v1/incidents/${incident.incidentId}`, { key: officer })),
    ).toMatchObject({ incidentId: incident.incidentId, closedAt: closed.closedAt });
  });

  /** The compliance guide's "Verify" block, exactly as written there. */
  const guideVerifyBlock = (): string => {
    const guide = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'guides', 'compliance-officers.md'), 'utf8');
    const block = /\*\*Verify\*\*[^\n]*\n```\n([\s\S]*?)```/u.exec(guide)?.[1];
    if (!block) throw new Error('the compliance guide has no **Verify** code block');
    return block;
  };
  const hasTool = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  // curl and jq are what the guide uses; CI installs them (.ci/run), so there the test always runs.
  const withShellTools = process.env['CI'] || (hasTool('curl') && hasTool('jq')) ? it : it.skip;

  withShellTools(
    'P2: the compliance guide’s verify commands, run as written in a shell (curl | jq -r .note > file, then attest verify --checkpoint file), verify',
    async () => {
      const block = guideVerifyBlock();
      expect(block).toContain('jq -r .note >');
      const described = body<{ verifierKey: string }>(await api.call('GET', '/v1/processing-record', { key: officer }));
      const root = join(__dirname, '..', '..', '..');
      const written = [...block.matchAll(/> (\S+\.note)/gu)].map((m) => join(root, m[1] ?? ''));
      expect(written).toHaveLength(1);
      // Only the guide's placeholders are filled in; the commands run as printed, from the repository root as the guide assumes.
      const script = `set -euo pipefail\n${block.replaceAll('<tenant>', tenantId).replaceAll('<verifier key>', described.verifierKey)}`;
      try {
        // Asynchronously: the API answering curl runs in this process.
        const { stdout: output } = await promisify(execFile)('bash', ['-c', script], {
          cwd: root,
          encoding: 'utf8',
          timeout: 90_000,
          // The auditor's machine: the database URL and the verifier key, no master key, no signing key.
          env: { ...process.env, API: api.base, KEY: officer, DATABASE_URL: api.databaseUrl, ATTEST_MASTER_KEY: '', ATTEST_RECORD_SIGNER_KEY: '' },
        });
        // jq -r wrote the note with one more newline than the signed text ends in.
        expect(readFileSync(written[0] ?? '', 'utf8')).toMatch(/\n\n$/u);
        expect(output).toMatch(/verified: OK\n$/u);
      } finally {
        rmSync(written[0] ?? '', { force: true });
      }
    },
    120_000,
  );

  it('every projection, given every event of this suite’s log a second time, changes nothing (runs last)', async () => {
    await Promise.all(api.runners.map((r) => r.catchUp()));
    expect(await changesWhenDeliveredTwice(api.infra)).toEqual({});
  }, 120_000);
});
