import type { DataSource } from 'typeorm';
import type { Outbox } from '@attest/notifications';
import type { DeletionFailure, DeletionLedger, DeletionState, DeletionStep, Erasure, KeptField, SignedCertificate } from '@attest/requests-application';

interface Row {
  request_id: string;
  tenant_id: string;
  customer_id: string;
  step: DeletionStep;
  keep: KeptField[];
  erasure: Erasure | null;
  certificate: SignedCertificate['certificate'] | null;
  signed_note: string | null;
  failure: DeletionFailure | null;
}

const state = (r: Row): DeletionState => ({
  requestId: r.request_id,
  tenantId: r.tenant_id,
  customerId: r.customer_id,
  step: r.step,
  holds: r.keep,
  erasure: r.erasure,
  certificate: r.certificate && r.signed_note ? { certificate: r.certificate, signedNote: r.signed_note } : null,
  failure: r.failure,
});

const COLUMNS = 'request_id, tenant_id, customer_id, step, keep, erasure, certificate, signed_note, failure';

/** The deletion ledger in Postgres; each step moves only forward, from the step it expects. */
export class PostgresDeletionLedger implements DeletionLedger {
  constructor(
    private readonly owner: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async begin(tenantId: string, requestId: string, customerId: string, holds: readonly KeptField[], now: Date): Promise<DeletionState> {
    await this.owner.query(
      `INSERT INTO requests.deletions (request_id, tenant_id, customer_id, step, keep, started_at, updated_at) VALUES ($1, $2, $3, 'erase', $4, $5, $5) ON CONFLICT (request_id) DO NOTHING`,
      [requestId, tenantId, customerId, JSON.stringify(holds), now],
    );
    const found = await this.get(tenantId, requestId);
    if (!found) throw new Error(`deletion of request ${requestId} could not be begun`);
    return found;
  }

  async get(tenantId: string, requestId: string): Promise<DeletionState | null> {
    const rows = await this.owner.query<Row[]>(`SELECT ${COLUMNS} FROM requests.deletions WHERE tenant_id = $1 AND request_id = $2`, [tenantId, requestId]);
    return rows[0] ? state(rows[0]) : null;
  }

  async failed(requestId: string, failure: DeletionFailure): Promise<void> {
    await this.owner.query(`UPDATE requests.deletions SET failure = $3, updated_at = $4 WHERE request_id = $1 AND step = $2`, [
      requestId,
      failure.step,
      JSON.stringify(failure),
      failure.at,
    ]);
  }

  private async move(requestId: string, from: DeletionStep, to: DeletionStep, set: Record<string, unknown>, now: Date): Promise<void> {
    const names = Object.keys(set);
    // Moving on clears the failure a run before left.
    const assignments = [...names.map((n, i) => `${n} = $${i + 5}`), 'step = $3', 'updated_at = $4', 'failure = NULL'].join(', ');
    await this.owner.query(`UPDATE requests.deletions SET ${assignments} WHERE request_id = $1 AND step = $2`, [
      requestId,
      from,
      to,
      now,
      ...Object.values(set),
    ]);
  }

  erased(requestId: string, erasure: Erasure, now: Date): Promise<void> {
    return this.move(requestId, 'erase', 'certify', { erasure: JSON.stringify(erasure) }, now);
  }

  certified(requestId: string, certificate: SignedCertificate, now: Date): Promise<void> {
    return this.move(requestId, 'certify', 'notify', { certificate: JSON.stringify(certificate.certificate), signed_note: certificate.signedNote }, now);
  }

  async notifyDownstream(s: DeletionState, now: Date): Promise<void> {
    await this.owner.transaction(async (m) => {
      // The notice is about the request (sealed under its key): the customer's key is gone.
      await this.outbox.enqueue(
        m,
        {
          sourceKey: `dsr-erased:${s.requestId}`,
          tenantId: s.tenantId,
          subjectId: s.requestId,
          kind: 'subject-erased',
          payload: {
            subjectRef: s.customerId,
            requestId: s.requestId,
            erasedAt: s.erasure?.erasedAt ?? null,
            certificateId: s.certificate?.certificate.certificateId ?? null,
          },
        },
        now,
      );
      await m.query(`UPDATE requests.deletions SET step = 'complete', updated_at = $2 WHERE request_id = $1 AND step = 'notify'`, [s.requestId, now]);
    });
  }

  completed(requestId: string, now: Date): Promise<void> {
    return this.move(requestId, 'complete', 'done', {}, now);
  }

  async unfinished(): Promise<DeletionState[]> {
    const rows = await this.owner.query<Row[]>(`SELECT ${COLUMNS} FROM requests.deletions WHERE step <> 'done' ORDER BY started_at`);
    return rows.map(state);
  }
}
