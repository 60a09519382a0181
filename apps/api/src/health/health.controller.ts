import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '@attest/event-store';
import { Public } from '@attest/http';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ProjectionRunner } from '@attest/projections';
import type { AttestRole } from '@attest/config';
import { DATA_SOURCE, PROCESS_ROLE, PROJECTION_RUNNERS, REPLICA_DATA_SOURCE } from '../tokens';

type CheckResult = 'up' | 'down';

async function check(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      resolve('down');
    }, timeoutMs);
  });
  const result = await Promise.race([
    probe().then(
      (): CheckResult => 'up',
      (): CheckResult => 'down',
    ),
    timeout,
  ]);
  clearTimeout(timer);
  return result;
}

@Public()
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
    @Inject(PROCESS_ROLE) private readonly role: AttestRole,
    @Inject(REPLICA_DATA_SOURCE) private readonly replica: DataSource | null,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Postgres and the event store answer; projections report whether they caught up. A read
   * replica (DATABASE_REPLICA_URL) is reported but not required: reads fall back to the primary.
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<object> {
    const replica = this.replica;
    const [postgres, eventStore, replicaCheck] = await Promise.all([
      check(() => this.dataSource.query('SELECT 1')),
      check(() => this.store.ping()),
      replica ? check(() => replica.query('SELECT 1')) : Promise.resolve(null),
    ]);
    // With several workers each projection runs in one of them (its lease): `elsewhere` here.
    const projections = Object.fromEntries(this.runners.map((r) => [r.name, !r.running ? 'elsewhere' : r.caughtUp ? 'caught-up' : 'catching-up']));
    const ready = postgres === 'up' && eventStore === 'up';
    if (!ready) {
      void reply.status(HttpStatus.SERVICE_UNAVAILABLE).type('application/problem+json');
      return {
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        code: 'HEALTH.NOT_READY',
        detail: 'A dependency does not answer.',
        checks: { postgres, eventStore, eventStoreKind: this.store.kind },
      };
    }
    return {
      status: 'ready',
      role: this.role,
      checks: { postgres, eventStore, eventStoreKind: this.store.kind, ...(replicaCheck ? { replica: replicaCheck } : {}) },
      projections,
    };
  }
}
