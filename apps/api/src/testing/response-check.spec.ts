import { ResponseCheck } from './response-check';

describe('ResponseCheck (real answers against docs/openapi.json)', () => {
  const check = new ResponseCheck();
  const checkpoint = { size: 3, root: 'cm9vdA==', note: 'n', createdAt: '2026-12-04T10:00:00.000Z' };

  it('accepts an answer of the documented shape, and finds the operation behind a path with parameters', () => {
    expect(check.problem('GET', '/v1/processing-record/checkpoints/latest', 200, 'application/json; charset=utf-8', checkpoint)).toBeNull();
    expect(check.problem('GET', '/v1/processing-record/checkpoints?size=3', 200, 'application/json', [checkpoint])).toBeNull();
  });

  it('names the operation and what is wrong when the answer drifts from the description', () => {
    expect(check.problem('GET', '/v1/processing-record/checkpoints/latest', 200, 'application/json', { ...checkpoint, size: '3' })).toMatch(
      /^GET \/v1\/processing-record\/checkpoints\/latest 200: .*size must be number/u,
    );
    expect(check.problem('GET', '/v1/processing-record/checkpoints/latest', 200, 'application/json', { ...checkpoint, extra: 1 })).toMatch(
      /additional properties/u,
    );
    expect(check.problem('GET', '/v1/data-subject-requests/01a24083-93d2-7005-af00-4f5123c9711d', 200, 'application/json', { requestId: 'x' })).toMatch(
      /must have required property/u,
    );
    expect(check.problem('GET', '/v1/processing-record/checkpoints/latest', 201, 'application/json', checkpoint)).toMatch(
      /answered 201, which docs\/openapi.json does not document/u,
    );
  });

  it('leaves refusals and other media types to their own checks', () => {
    expect(check.problem('GET', '/v1/processing-record/checkpoints/latest', 404, 'application/problem+json', { status: 404 })).toBeNull();
    expect(check.problem('GET', '/v1/processing-activities/export.csv', 200, 'text/csv', 'a,b')).toBeNull();
  });
});
