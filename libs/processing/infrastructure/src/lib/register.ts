import type { DataSource } from 'typeorm';
import { withTenant } from '@attest/database';
import { DomainError, uuidv7, type Clock } from '@attest/kernel';
import type { ProcessingRegister } from '@attest/processing-application';
import {
  assessmentRequired,
  incidentView,
  type ActivityVersion,
  type ImpactAssessment,
  type IncidentReport,
  type IncidentUpdate,
  type IncidentView,
  type ProcessingActivity,
} from '@attest/processing-domain';

interface ActivityRow {
  activity_id: string;
  version: number;
  body: ProcessingActivity;
  recorded_by: string;
  recorded_at: Date;
}
const activityOf = (r: ActivityRow): ActivityVersion => ({
  activityId: r.activity_id,
  version: r.version,
  activity: r.body,
  recordedBy: r.recorded_by,
  recordedAt: r.recorded_at.toISOString(),
  assessmentRequired: assessmentRequired(r.body),
});

/**
 * P4–P6 in append-only tables (no row is ever changed: a revision of an
 * activity is a new version; an incident grows by updates). Everything goes
 * through the request-serving role, so row-level security applies.
 */
export class PostgresProcessingRegister implements ProcessingRegister {
  constructor(
    private readonly app: DataSource,
    private readonly clock: Clock,
  ) {}

  async recordActivity(tenantId: string, activityId: string | null, activity: ProcessingActivity, actor: string): Promise<ActivityVersion> {
    const id = activityId ?? uuidv7();
    const rows = await withTenant<ActivityRow[]>(this.app, tenantId, async (m) => {
      // One writer per activity at a time: versions stay 1, 2, 3 …
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, [`${tenantId}/${id}`]);
      const [current] = await m.query<{ v: number | null }[]>(`SELECT max(version) AS v FROM processing.activities WHERE tenant_id = $1 AND activity_id = $2`, [
        tenantId,
        id,
      ]);
      if (!current || (activityId !== null && current.v === null))
        throw new DomainError('ACTIVITY.NOT_FOUND', 'no processing activity with this id', 'not_found');
      return m.query(
        `INSERT INTO processing.activities (tenant_id, activity_id, version, body, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING activity_id, version, body, recorded_by, recorded_at`,
        [tenantId, id, (current.v ?? 0) + 1, JSON.stringify(activity), actor, this.clock.now()],
      );
    });
    return activityOf(rows[0] as ActivityRow);
  }

  async activities(tenantId: string): Promise<ActivityVersion[]> {
    const rows = await withTenant<ActivityRow[]>(this.app, tenantId, (m) =>
      m.query(
        `SELECT DISTINCT ON (activity_id) activity_id, version, body, recorded_by, recorded_at FROM processing.activities
         WHERE tenant_id = $1 ORDER BY activity_id, version DESC`,
        [tenantId],
      ),
    );
    return rows.map(activityOf);
  }

  async activityVersions(tenantId: string, activityId: string): Promise<ActivityVersion[]> {
    const rows = await withTenant<ActivityRow[]>(this.app, tenantId, (m) =>
      m.query(
        `SELECT activity_id, version, body, recorded_by, recorded_at FROM processing.activities WHERE tenant_id = $1 AND activity_id = $2 ORDER BY version`,
        [tenantId, activityId],
      ),
    );
    if (rows.length === 0) throw new DomainError('ACTIVITY.NOT_FOUND', 'no processing activity with this id', 'not_found');
    return rows.map(activityOf);
  }

  async recordAssessment(tenantId: string, assessment: ImpactAssessment, actor: string): Promise<{ assessmentId: string } & ImpactAssessment> {
    const assessmentId = uuidv7();
    await withTenant(this.app, tenantId, async (m) => {
      const [found] = await m.query<[{ n: number }]>(
        `SELECT count(DISTINCT activity_id)::int AS n FROM processing.activities WHERE tenant_id = $1 AND activity_id = ANY($2::uuid[])`,
        [tenantId, assessment.activityIds],
      );
      if (found.n !== new Set(assessment.activityIds).size)
        throw new DomainError('ASSESSMENT.UNKNOWN_ACTIVITY', 'every linked activity must be in the register', 'invalid');
      await m.query(
        `INSERT INTO processing.assessments (tenant_id, assessment_id, activity_ids, body, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [tenantId, assessmentId, assessment.activityIds, JSON.stringify(assessment), actor, this.clock.now()],
      );
    });
    return { assessmentId, ...assessment };
  }

  async assessments(tenantId: string): Promise<({ assessmentId: string; recordedBy: string; recordedAt: string } & ImpactAssessment)[]> {
    const rows = await withTenant<{ assessment_id: string; body: ImpactAssessment; recorded_by: string; recorded_at: Date }[]>(this.app, tenantId, (m) =>
      m.query(`SELECT assessment_id, body, recorded_by, recorded_at FROM processing.assessments WHERE tenant_id = $1 ORDER BY recorded_at DESC`, [tenantId]),
    );
    return rows.map((r) => ({ ...r.body, assessmentId: r.assessment_id, recordedBy: r.recorded_by, recordedAt: r.recorded_at.toISOString() }));
  }

  async reportIncident(tenantId: string, report: IncidentReport, actor: string): Promise<IncidentView> {
    const incidentId = uuidv7();
    await withTenant(this.app, tenantId, (m) =>
      m.query(`INSERT INTO processing.incidents (tenant_id, incident_id, body, reported_by, reported_at) VALUES ($1, $2, $3, $4, $5)`, [
        tenantId,
        incidentId,
        JSON.stringify(report),
        actor,
        this.clock.now(),
      ]),
    );
    return this.incident(tenantId, incidentId);
  }

  async updateIncident(tenantId: string, incidentId: string, update: IncidentUpdate, actor: string): Promise<IncidentView> {
    const current = await this.incident(tenantId, incidentId);
    if (current.closedAt !== null) throw new DomainError('INCIDENT.CLOSED', 'the incident is closed', 'conflict');
    if ((update.type === 'authority-notified' && current.authorityNotifiedAt) || (update.type === 'subjects-notified' && current.subjectsNotifiedAt)) {
      throw new DomainError('INCIDENT.ALREADY_NOTIFIED', `${update.type} is already recorded`, 'conflict');
    }
    if (Date.parse(update.at) < Date.parse(current.report.awareAt))
      throw new DomainError('INCIDENT.BEFORE_AWARENESS', 'an update cannot precede the awareness time', 'invalid');
    await withTenant(this.app, tenantId, (m) =>
      m.query(`INSERT INTO processing.incident_updates (tenant_id, incident_id, type, body, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
        tenantId,
        incidentId,
        update.type,
        JSON.stringify(update),
        actor,
        this.clock.now(),
      ]),
    );
    return this.incident(tenantId, incidentId);
  }

  async incidents(tenantId: string): Promise<IncidentView[]> {
    const ids = await withTenant<
      {
        incident_id: string;
      }[]
    >(this.app, tenantId, (m) => m.query(`SELECT incident_id FROM processing.incidents WHERE tenant_id = $1 ORDER BY reported_at DESC`, [tenantId]));
    return Promise.all(ids.map((r) => this.incident(tenantId, r.incident_id)));
  }

  async incident(tenantId: string, incidentId: string): Promise<IncidentView> {
    return withTenant(this.app, tenantId, async (m) => {
      const [row] = await m.query<
        {
          body: IncidentReport;
          reported_by: string;
          reported_at: Date;
        }[]
      >(`SELECT body, reported_by, reported_at FROM processing.incidents WHERE tenant_id = $1 AND incident_id = $2`, [tenantId, incidentId]);
      if (!row) throw new DomainError('INCIDENT.NOT_FOUND', 'no incident with this id', 'not_found');
      const updates = await m.query<{ body: IncidentUpdate }[]>(
        `SELECT body FROM processing.incident_updates WHERE tenant_id = $1 AND incident_id = $2 ORDER BY update_id`,
        [tenantId, incidentId],
      );
      return incidentView(
        incidentId,
        row.body,
        row.reported_by,
        row.reported_at.toISOString(),
        updates.map((u) => u.body),
        this.clock.now(),
      );
    });
  }
}
