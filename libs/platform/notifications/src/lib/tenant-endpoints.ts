import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { DataSource } from 'typeorm';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';
import { DomainError, type JsonValue } from '@attest/kernel';

/** A tenant's own webhook endpoint, as its administrators see it (never the secret). */
export interface TenantEndpointView {
  readonly tenantId: string;
  readonly url: string;
  readonly secretSetAt: Date;
  readonly updatedAt: Date;
  readonly updatedBy: string;
}

/** Where a tenant's notices go, with the secret to sign them (in memory only). */
export interface TenantDestination {
  readonly url: string;
  readonly secret: string;
}

/** Addresses a tenant's endpoint may not resolve to (the platform's own network, loopback, link-local, metadata). */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

const isPrivate = (address: string): boolean => {
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1, or ::ffff:7f00:1 as URLs write it) is its IPv4 address.
  const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (mapped) {
    const v4 =
      mapped[1] ??
      [mapped[2], mapped[3]]
        .flatMap((h) => {
          const n = parseInt(h ?? '0', 16);
          return [n >> 8, n & 255];
        })
        .join('.');
    return PRIVATE.check(v4, 'ipv4');
  }
  const family = isIP(address);
  return family !== 0 && PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
};

/**
 * Why a tenant's endpoint URL is refused, or null: https only, no credentials in it, at most 2,000
 * characters, and not a name or address of a private network — unless the deployment allows
 * local receivers (development and tests: `ATTEST_TENANT_WEBHOOKS_ALLOW_PRIVATE`).
 */
export function endpointUrlProblem(raw: string, allowPrivate: boolean): string | null {
  if (raw.length > 2_000) return 'The URL is longer than 2,000 characters.';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'This is not a URL.';
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return 'The endpoint must use https.';
  if (url.username !== '' || url.password !== '') return 'Put no credentials in the URL: Attest signs every delivery instead.';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || isPrivate(host))) {
    return 'The endpoint may not be on a private network, loopback or link-local address.';
  }
  return null;
}

/**
 * Whether the URL's host resolves only to public addresses now (each delivery checks again, so a
 * name that later points inside the platform's network is not sent to).
 */
export async function resolvesPublicly(url: string, allowPrivate: boolean): Promise<boolean> {
  if (allowPrivate) return true;
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) return !isPrivate(host);
  try {
    const addresses = await lookup(host, { all: true, verbatim: true });
    return addresses.length > 0 && addresses.every((a) => !isPrivate(a.address));
  } catch {
    return false;
  }
}

const column = (tenantId: string) => ({ table: 'notifications.tenant_endpoints', column: 'secret', row: tenantId });
const secretSubject = (tenantId: string): string => `webhook:${tenantId}`;
const newSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

interface Row {
  tenant_id: string;
  url: string;
  secret_set_at: Date;
  updated_at: Date;
  updated_by: string;
}

const toView = (r: Row): TenantEndpointView => ({
  tenantId: r.tenant_id,
  url: r.url,
  secretSetAt: r.secret_set_at,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

/**
 * Tenants' own webhook endpoints (`notifications.tenant_endpoints`, owner connection): the URL,
 * and a signing secret Attest generates, shows once and keeps sealed under a key of the tenant's
 * endpoint (never in plaintext at rest). Notices for the tenant's systems go there; messages to
 * persons keep going to the deployment's gateway.
 */
export class TenantEndpoints {
  constructor(
    private readonly owner: DataSource,
    private readonly privacy: ReadModelPrivacy,
    private readonly options: { readonly allowPrivate: boolean },
  ) {}

  get allowPrivate(): boolean {
    return this.options.allowPrivate;
  }

  async get(tenantId: string): Promise<TenantEndpointView | null> {
    const [row] = await this.owner.query<Row[]>(
      `SELECT tenant_id, url, secret_set_at, updated_at, updated_by FROM notifications.tenant_endpoints WHERE tenant_id = $1`,
      [tenantId],
    );
    return row ? toView(row) : null;
  }

  /** Sets the URL; a new endpoint gets a secret, answered here once (an existing one keeps its secret). */
  async set(tenantId: string, url: string, actor: string, at: Date): Promise<{ readonly endpoint: TenantEndpointView; readonly secret: string | null }> {
    const problem = endpointUrlProblem(url, this.options.allowPrivate);
    if (problem !== null) throw new DomainError('WEBHOOK.URL_INVALID', problem);
    const secret = newSecret();
    const sealed = await this.privacy.seal(secretSubject(tenantId), column(tenantId), secret);
    const [row] = await this.owner.query<(Row & { inserted: boolean })[]>(
      `WITH written AS (
         INSERT INTO notifications.tenant_endpoints (tenant_id, url, secret, secret_set_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $4, $5)
         ON CONFLICT (tenant_id) DO UPDATE SET url = EXCLUDED.url, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING tenant_id, url, secret_set_at, updated_at, updated_by, (xmax = 0) AS inserted)
       SELECT * FROM written`,
      [tenantId, url, JSON.stringify(sealed), at, actor],
    );
    if (!row) throw new Error('the endpoint was not written');
    return { endpoint: toView(row), secret: row.inserted ? secret : null };
  }

  /** A new secret, answered here once; the old one stops signing at once. */
  async rotateSecret(tenantId: string, actor: string, at: Date): Promise<{ readonly endpoint: TenantEndpointView; readonly secret: string }> {
    const secret = newSecret();
    const sealed = await this.privacy.seal(secretSubject(tenantId), column(tenantId), secret);
    const [row] = await this.owner.query<Row[]>(
      `WITH rotated AS (UPDATE notifications.tenant_endpoints SET secret = $2, secret_set_at = $3, updated_at = $3, updated_by = $4 WHERE tenant_id = $1
       RETURNING tenant_id, url, secret_set_at, updated_at, updated_by) SELECT * FROM rotated`,
      [tenantId, JSON.stringify(sealed), at, actor],
    );
    if (!row) throw new DomainError('WEBHOOK.NOT_SET', 'Your organization has no webhook endpoint; set one first.', 'not_found');
    return { endpoint: toView(row), secret };
  }

  /** Removes the endpoint; the tenant's notices go to the deployment's receiver again. */
  async remove(tenantId: string): Promise<boolean> {
    const rows = await this.owner.query<{ tenant_id: string }[]>(
      `WITH removed AS (DELETE FROM notifications.tenant_endpoints WHERE tenant_id = $1 RETURNING tenant_id) SELECT tenant_id FROM removed`,
      [tenantId],
    );
    return rows.length > 0;
  }

  /** The endpoints of these tenants with their secrets opened (the dispatcher's view). */
  async destinations(tenantIds: readonly string[]): Promise<Map<string, TenantDestination>> {
    const out = new Map<string, TenantDestination>();
    if (tenantIds.length === 0) return out;
    const rows = await this.owner.query<{ tenant_id: string; url: string; secret: JsonValue | null }[]>(
      `SELECT tenant_id, url, secret FROM notifications.tenant_endpoints WHERE tenant_id = ANY($1::text[])`,
      [[...new Set(tenantIds)]],
    );
    for (const r of rows) {
      const secret = await this.privacy.open(secretSubject(r.tenant_id), column(r.tenant_id), r.secret);
      if (typeof secret === 'string') out.set(r.tenant_id, { url: r.url, secret });
    }
    return out;
  }
}
