import { urlProblem } from './raw-input';

describe('urlProblem (N4: malformed URLs are refused before any route)', () => {
  it.each(['/v1/data-subject-requests?handler=%00', '/v1/processing-record/records?actor=a%00b', '/v1/customers/%00', '/v1/x?y=%0A', '/v1/x?y=%7F'])(
    'refuses NUL and control characters: %s',
    (url) => {
      expect(urlProblem(url)).toMatch(/control character/);
    },
  );

  it.each(['/v1/x?y=%FF', '/v1/x?y=%C0%80', '/v1/x?y=%ED%A0%80', '/v1/x/%E4%B8', '/v1/x?y=%', '/v1/x?y=%G1'])(
    'refuses percent-encodings that are not UTF-8: %s',
    (url) => {
      expect(urlProblem(url)).toMatch(/not valid UTF-8/);
    },
  );

  it('refuses raw bytes that must be encoded', () => {
    expect(urlProblem('/v1/x?y=a b')).toMatch(/percent-encoded/);
    expect(urlProblem('/v1/x?y=é')).toMatch(/percent-encoded/);
  });

  it.each(['/v1/me', '/v1/customers?tag=vip&limit=20', '/v1/x?name=%E5%BC%A0%E4%B8%89', '/v1/x?q=a+b&r=%C3%A9', '/v1/x?y=', '/v1/x?'])(
    'lets well-formed URLs through: %s',
    (url) => {
      expect(urlProblem(url)).toBeNull();
    },
  );
});
