/**
 * What is wrong with a request URL before any route sees it, or null.
 *
 * Every path segment and query component must be percent-encoded UTF-8 that
 * decodes to text without NUL or other control characters: PostgreSQL refuses
 * NUL in text (a 500 if it got that far), and a control character or broken
 * encoding in an identifier or filter is never meant.
 */
export function urlProblem(url: string): string | null {
  // Only printable ASCII travels unencoded in a request target.
  if (!/^[\x21-\x7e]*$/u.test(url)) return 'the URL holds characters that must be percent-encoded';
  const query = url.indexOf('?');
  const parts = [
    ...(query < 0 ? url : url.slice(0, query)).split('/'),
    ...(query < 0
      ? []
      : url
          .slice(query + 1)
          .split(/[&=]/u)
          .map((p) => p.replace(/\+/gu, ' '))),
  ];
  for (const part of parts) {
    if (!part.includes('%')) continue;
    let text: string;
    try {
      text = decodeURIComponent(part);
    } catch {
      return 'the URL holds a percent-encoding that is not valid UTF-8';
    }
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (/[\u0000-\u001f\u007f]/u.test(text)) return 'the URL holds NUL or another control character';
  }
  return null;
}
