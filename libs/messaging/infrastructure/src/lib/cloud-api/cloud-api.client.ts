// A thin typed client of the WhatsApp Business Cloud API (Graph API): sends and the template
// list. Its base URL and Graph version are configuration, so the same code talks to Meta or to
// the local stand-in (`npx attest whatsapp-simulator`). It never logs: a recipient's number and
// a message's parameters are personal data, and the access token a secret.
import type { GraphError, MessageAccepted, MessageRequest, TemplateListItem, TemplateListPage } from './wire';

export interface CloudApiConnection {
  /** `https://graph.facebook.com` for Meta; the stand-in's `http://127.0.0.1:<port>` locally. */
  readonly baseUrl: string;
  /** The Graph API version in the path, e.g. `v23.0`. */
  readonly version: string;
  /** The business phone number's id (not the number): sends go to `/{id}/messages`. */
  readonly phoneNumberId: string;
  /** The WhatsApp Business Account's id: templates are listed under it. */
  readonly businessAccountId: string;
  readonly accessToken: string;
}

/**
 * What became of a send. `unknown`: the request may or may not have reached Meta (a timeout, a
 * dropped connection, a 5xx, an answer that cannot be read) — the message must be reconciled by
 * its status webhook before anything is sent again, never simply retried.
 */
export type SendOutcome =
  | { readonly kind: 'accepted'; readonly wamid: string; readonly waId: string | null; readonly held: boolean }
  | { readonly kind: 'refused'; readonly code: number; readonly httpStatus: number; readonly details: string | null }
  | { readonly kind: 'unknown'; readonly reason: 'timeout' | 'network' | 'server-error' | 'unreadable'; readonly httpStatus: number | null };

export class CloudApiError extends Error {
  constructor(
    readonly code: number | null,
    readonly httpStatus: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'CloudApiError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function graphError(body: unknown): GraphError['error'] | null {
  if (!isRecord(body) || !isRecord(body['error'])) return null;
  const error = body['error'];
  return typeof error['code'] === 'number' ? (error as unknown as GraphError['error']) : null;
}

function accepted(body: unknown): MessageAccepted | null {
  if (!isRecord(body) || !Array.isArray(body['messages'])) return null;
  const first: unknown = body['messages'][0];
  return isRecord(first) && typeof first['id'] === 'string' && first['id'] !== '' ? (body as unknown as MessageAccepted) : null;
}

export class CloudApiClient {
  constructor(
    private readonly connection: CloudApiConnection,
    private readonly options: { readonly timeoutMs?: number; readonly fetch?: typeof fetch } = {},
  ) {}

  private url(path: string): string {
    return `${this.connection.baseUrl.replace(/\/+$/, '')}/${this.connection.version}/${path}`;
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.connection.accessToken}`, 'content-type': 'application/json', accept: 'application/json' };
  }

  /** One message; never throws (see `SendOutcome`). */
  async send(message: MessageRequest): Promise<SendOutcome> {
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(this.url(`${encodeURIComponent(this.connection.phoneNumberId)}/messages`), {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (cause) {
      // A DOMException (the signal's reason), not always an Error of this realm: read its name.
      const name = typeof cause === 'object' && cause !== null && 'name' in cause ? cause.name : null;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      return { kind: 'unknown', reason: timedOut ? 'timeout' : 'network', httpStatus: null };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { kind: 'unknown', reason: response.status >= 500 ? 'server-error' : 'unreadable', httpStatus: response.status };
    }
    if (response.ok) {
      const ok = accepted(body);
      if (ok === null) return { kind: 'unknown', reason: 'unreadable', httpStatus: response.status };
      const first = ok.messages[0];
      return {
        kind: 'accepted',
        wamid: first?.id ?? '',
        waId: ok.contacts[0]?.wa_id ?? null,
        held: first?.message_status === 'held_for_quality_assessment' || first?.message_status === 'paused',
      };
    }
    const error = graphError(body);
    // A 5xx without a Graph error may have been sent: only a Graph error with a code is a refusal.
    if (error === null) return { kind: 'unknown', reason: response.status >= 500 ? 'server-error' : 'unreadable', httpStatus: response.status };
    return { kind: 'refused', code: error.code, httpStatus: response.status, details: error.error_data?.details ?? null };
  }

  /**
   * Every template of the business account, page after page. Pages are followed by their `after`
   * cursor on the configured base URL, never by the `next` address in the answer (the access
   * token goes to one origin only).
   */
  async listTemplates(pageSize = 100): Promise<TemplateListItem[]> {
    const doFetch = this.options.fetch ?? fetch;
    const all: TemplateListItem[] = [];
    let after: string | undefined;
    for (let page = 0; page < 1_000; page++) {
      const query = new URLSearchParams({ limit: String(pageSize), ...(after !== undefined ? { after } : {}) });
      let response: Response;
      try {
        response = await doFetch(`${this.url(`${encodeURIComponent(this.connection.businessAccountId)}/message_templates`)}?${query.toString()}`, {
          headers: this.headers(),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
      } catch (cause) {
        throw new CloudApiError(null, null, `the template list could not be fetched: ${cause instanceof Error ? cause.name : 'error'}`);
      }
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) {
        const error = graphError(body);
        throw new CloudApiError(error?.code ?? null, response.status, `the template list was refused (${String(error?.code ?? response.status)})`);
      }
      if (!isRecord(body) || !Array.isArray(body['data'])) throw new CloudApiError(null, response.status, 'the template list could not be read');
      const listed = body as unknown as TemplateListPage;
      all.push(...listed.data);
      after = listed.paging?.next !== undefined ? listed.paging.cursors?.after : undefined;
      if (after === undefined || listed.data.length === 0) return all;
    }
    throw new CloudApiError(null, null, 'the template list did not end');
  }
}
