import { ApiError, CLIENT_CODES, problemOf, shouldRetry, toProblem } from './problem';

describe('problem details', () => {
  it('takes title, detail, code, correlation id and field errors from a problem+json body', () => {
    const body = {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'VALIDATION.FAILED',
      detail: 'The request is not valid.',
      correlationId: 'c-1',
      errors: [{ field: 'subjectId', code: 'isUuid', message: 'subjectId must be a UUID' }, { nope: true }],
    };
    expect(toProblem(body, 400, 'Bad Request')).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'VALIDATION.FAILED',
      detail: 'The request is not valid.',
      correlationId: 'c-1',
      errors: [{ field: 'subjectId', code: 'isUuid', message: 'subjectId must be a UUID' }],
    });
  });

  it('makes one from the status when the body is not a problem', () => {
    expect(toProblem(undefined, 502, 'Bad Gateway')).toEqual({ type: 'about:blank', title: 'Bad Gateway', status: 502, code: 'HTTP.502' });
    expect(toProblem('<html>proxy error</html>', 502)).toEqual({
      type: 'about:blank',
      title: 'HTTP 502',
      status: 502,
      code: 'HTTP.502',
      detail: '<html>proxy error</html>',
    });
    expect(toProblem({ title: 42 }, 500).title).toBe('HTTP 500');
  });

  it('names network failures and unexpected errors with client codes', () => {
    const problem = toProblem({ title: 'Forbidden', status: 403, code: 'AUTH.FORBIDDEN' }, 403);
    expect(problemOf(new ApiError(problem))).toBe(problem);
    expect(problemOf(new TypeError('Failed to fetch')).code).toBe(CLIENT_CODES.network);
    expect(problemOf(new Error('boom'))).toMatchObject({ code: CLIENT_CODES.unexpected, detail: 'boom' });
    expect(problemOf('??').code).toBe(CLIENT_CODES.unexpected);
  });

  it('retries failures of the server or the network, never a refusal', () => {
    const error = (status: number) => new ApiError(toProblem(undefined, status));
    expect(shouldRetry(0, error(503))).toBe(true);
    expect(shouldRetry(0, error(429))).toBe(true);
    expect(shouldRetry(0, new TypeError('offline'))).toBe(true);
    expect(shouldRetry(2, error(503))).toBe(false);
    expect(shouldRetry(0, error(400))).toBe(false);
    expect(shouldRetry(0, error(401))).toBe(false);
    expect(shouldRetry(0, error(404))).toBe(false);
  });
});
