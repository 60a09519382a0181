import { NotFoundException, type ArgumentsHost } from '@nestjs/common';
import { EventStoreOutcomeUnknownError, EventStoreUnavailableError, WrongExpectedRevisionError } from '@attest/event-store';
import { DomainError } from '@attest/kernel';
import { AuthenticationError } from '@attest/security';
import { ProblemDetailsFilter } from './problem-details.filter';

function respond(exception: unknown): { status: number; type: string; body: Record<string, unknown>; headers: Record<string, string>; logged: object[] } {
  const logged: object[] = [];
  const sent: { status: number; type: string; body: Record<string, unknown>; headers: Record<string, string> } = { status: 0, type: '', body: {}, headers: {} };
  const reply = {
    header: (name: string, value: string) => ((sent.headers[name] = value), reply),
    status: (s: number) => ((sent.status = s), reply),
    type: (t: string) => ((sent.type = t), reply),
    send: (b: Record<string, unknown>) => ((sent.body = b), reply),
  };
  const host = { switchToHttp: () => ({ getRequest: () => ({ id: 'corr-1' }), getResponse: () => reply }) } as unknown as ArgumentsHost;
  new ProblemDetailsFilter({ error: (o: object) => logged.push(o) }).catch(exception, host);
  return { ...sent, logged };
}

describe('ProblemDetailsFilter', () => {
  it('answers an unexpected error with 500 and only a correlation id, logging its name only', () => {
    const r = respond(new TypeError('secret detail: jane@example.com'));
    expect(r.status).toBe(500);
    expect(r.type).toBe('application/problem+json');
    expect(r.body).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, code: 'HTTP.INTERNAL', correlationId: 'corr-1' });
    expect(JSON.stringify(r.logged)).not.toContain('jane@example.com');
  });

  it('logs the SQLSTATE and constraint of a database error, never its message or values', () => {
    const db = Object.assign(new Error('duplicate key value violates unique constraint "x"'), {
      name: 'QueryFailedError',
      driverError: { code: '23505', constraint: 'api_keys_v1_prefix_key', detail: 'Key (email)=(jane@example.com) already exists.' },
    });
    const r = respond(db);
    expect(r.status).toBe(500);
    expect(r.logged).toEqual([expect.objectContaining({ err: { name: 'QueryFailedError', sqlState: '23505', constraint: 'api_keys_v1_prefix_key' } })]);
    expect(JSON.stringify(r.logged)).not.toContain('jane@example.com');
    // Anything that does not look like a SQLSTATE or an identifier is left out.
    const odd = Object.assign(new Error('x'), { driverError: { code: 'jane@example.com', constraint: 'Jane Doe' } });
    expect(respond(odd).logged).toEqual([expect.objectContaining({ err: { name: 'Error' } })]);
  });

  it('answers 503 with Retry-After when the database refuses the connection, not the statement', () => {
    const refused = (code: string): Error => Object.assign(new Error('sorry, too many clients already'), { name: 'error', code, severity: 'FATAL' });
    for (const code of ['53300', '57P03', '08006']) {
      const r = respond(refused(code));
      expect({ code, status: r.status, retryAfter: r.headers['Retry-After'], body: r.body }).toEqual({
        code,
        status: 503,
        retryAfter: '1',
        body: expect.objectContaining({ code: 'DATABASE.UNAVAILABLE', status: 503 }) as unknown,
      });
    }
    expect(respond(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).status).toBe(503);
    // A failed statement is not an outage.
    expect(respond(Object.assign(new Error('x'), { name: 'QueryFailedError', driverError: { code: '23505' } })).status).toBe(500);
  });

  it('maps domain refusals by kind, conflicts, authentication and unknown routes', () => {
    expect(respond(new DomainError('X.NOT_FOUND', 'no', 'not_found')).body).toMatchObject({ status: 404, code: 'X.NOT_FOUND' });
    expect(respond(new DomainError('X.CONFLICT', 'no', 'conflict')).body).toMatchObject({ status: 409, code: 'X.CONFLICT' });
    expect(respond(new DomainError('X.FORBIDDEN', 'no', 'forbidden')).body).toMatchObject({ status: 403 });
    expect(respond(new DomainError('X.INVALID', 'no')).body).toMatchObject({ status: 400 });
    expect(respond(new WrongExpectedRevisionError('s-1', 0, 1)).body).toMatchObject({ status: 409, code: 'EVENT_STORE.WRONG_EXPECTED_REVISION' });
    expect(respond(new EventStoreUnavailableError('down')).body).toMatchObject({ status: 503, code: 'EVENT_STORE.UNAVAILABLE' });
    // An append that got no answer may be written: the caller must read before retrying.
    expect(respond(new EventStoreOutcomeUnknownError('no answer')).body).toMatchObject({
      status: 503,
      code: 'EVENT_STORE.OUTCOME_UNKNOWN',
      detail: expect.stringContaining('may have been recorded') as unknown,
    });
    expect(respond(new AuthenticationError('AUTH.INVALID_CREDENTIALS', 'no')).body).toMatchObject({ status: 401 });
    expect(respond(new NotFoundException('Cannot GET /x?email=a@b.c')).body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      code: 'HTTP.NOT_FOUND',
      correlationId: 'corr-1',
    });
    expect(respond('thrown string').status).toBe(500);
  });
});
