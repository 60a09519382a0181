/**
 * Sent with every API call. The server refuses mutating calls made with the session cookie
 * without it: a cross-site form cannot set a custom header (CSRF defence next to SameSite).
 */
export const CSRF_HEADER = 'X-Attest-Csrf';
export const CSRF_VALUE = '1';

export const isProblemJson = (response: Response): boolean => (response.headers.get('content-type') ?? '').includes('json');

/** The body of an error response: its JSON when it is JSON, else its text (never throws). */
export async function errorBody(response: Response): Promise<unknown> {
  try {
    return isProblemJson(response) ? ((await response.json()) as unknown) : await response.text();
  } catch {
    return undefined;
  }
}
