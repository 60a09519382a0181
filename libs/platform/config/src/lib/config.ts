export const ATTEST_ROLES = ['api', 'worker', 'all'] as const;
export type AttestRole = (typeof ATTEST_ROLES)[number];

/** Every setting Attest reads from the environment; documented in the README table. */
export interface AttestConfig {
  /** Postgres for read models (and the event store by default); null = embedded server. */
  readonly databaseUrl: string | null;
  readonly eventStore: 'postgres' | 'kurrentdb';
  readonly kurrentdbUrl: string | null;
  readonly host: string;
  readonly port: number;
  /** The address people open (sign-in links, the console); null: `http://localhost:<port>`. */
  readonly publicUrl: string | null;
  /** Where the embedded default keeps its data. */
  readonly dataDir: string;
  readonly embeddedPostgresPort: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Subscriptions poll this often when no notification arrives. */
  readonly pollIntervalMs: number;
  /**
   * What this process runs (ATTEST_ROLE): `api` HTTP only; `worker` projection workers, timed
   * jobs, notification and message dispatch, checkpoint signing (HTTP for health and metrics
   * only); `all` both (the default, `npm start`).
   */
  readonly role: AttestRole;
  /** Run projection workers in this process (not in the `api` role). */
  readonly projections: boolean;
  /**
   * Projections applied in partitions by tenant, each partition under a lease of its own
   * (ATTEST_PROJECTION_PARTITIONS, e.g. `customers=4`): projection name → partitions (2–64).
   */
  readonly projectionPartitions: Readonly<Record<string, number>>;
  /** Run the timed jobs (retention, purge, deadlines) in this process (not in the `api` role). */
  readonly jobs: boolean;
  /** Run the WhatsApp dispatcher in this process (ATTEST_MESSAGING_DISPATCH; each bound number is served by one process at a time). */
  readonly messagingDispatch: boolean;
  /** Decision facts in memory (ADR 0016): subjects kept (ATTEST_DECISION_CACHE_SUBJECTS, 0: off) and how long `atLeastAsFresh` waits (ATTEST_DECISION_WAIT_MS). */
  readonly decisionCache: { readonly maxSubjects: number; readonly waitMs: number };
  readonly accounts: {
    /** A7: days without a login after which a user's login is restricted. */
    readonly inactivityRestrictionDays: number;
  };
  /** Login of the request-serving role (`attest_app`); null: switch roles on the owner's connections. */
  readonly databaseAppUrl: string | null;
  /** A streaming replica of DATABASE_URL's database: reads that name a consistency token it has applied are served there; null: every read on the primary. */
  readonly databaseReplicaUrl: string | null;
  /** OpenID Connect provider whose access tokens are accepted; null: API keys only. */
  readonly oidc: {
    readonly issuer: string;
    readonly audience: string;
    readonly jwksUrl: string;
    readonly tenantClaim: string;
    readonly rolesClaim: string;
    /** The web console's confidential client at this provider (sign-in by code + PKCE); null: the console signs in by link only. */
    readonly console: { readonly clientId: string; readonly clientSecret: string } | null;
  } | null;
  /** Requests per minute per credential. */
  readonly rateLimitPerMinute: number;
  /** On the embedded default: seed the demo tenant and print a demo key. */
  readonly demo: boolean;
  /** Key-encryption key (base64, 32 bytes); null on the embedded default: kept in the data directory. */
  readonly masterKey: string | null;
  /** Master keys being rotated away from (ATTEST_MASTER_KEY_PREVIOUS, comma-separated). */
  readonly previousMasterKeys: readonly string[];
  /** Erasure journal file, kept outside the database and its backups; default `<dataDir>/erasure-journal.log`. */
  readonly erasureJournal: string;
  /** Receiver of the notification outbox (signed webhooks); null: notifications wait in the outbox. */
  readonly webhook: { readonly url: string; readonly secret: string } | null;
  /** Tenants' own webhook endpoints may be plain http and on private or loopback addresses (development and tests only). */
  readonly tenantWebhooksAllowPrivate: boolean;
  /** Requests per minute per client address on public account flows (registration, codes, invitations). */
  readonly publicFlowPerMinute: number;
  /** Public holidays (ISO dates) that are not working days (A11 deadlines). */
  readonly holidays: readonly string[];
  /** The processing record (P2): log origin prefix (also the signing key's name), signer key, retention, checkpoint schedule. */
  readonly processingRecord: {
    readonly origin: string;
    /** `PRIVATE+KEY+<name>+<id>+<key>`; null on the embedded default: kept in the data directory. */
    readonly signerKey: string | null;
    /** At least 3 (EC 3.12.4, PIPL 56); only ever raised. */
    readonly retentionYears: number;
    readonly checkpointIntervalSeconds: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and checks the configuration; reports every problem at once. */
/**
 * `keys: false` loads what a keyless tool needs (an auditor's `attest verify`
 * reads the database and checks signatures with a verifier key): no master key required.
 */
export function loadConfig(env: Env = process.env, options: { readonly keys?: boolean } = {}): AttestConfig {
  const problems: string[] = [];
  const text = (name: string): string | null => {
    const v = env[name]?.trim();
    return v ? v : null;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return n;
  };
  const url = (name: string, protocols: readonly string[]): string | null => {
    const raw = text(name);
    if (raw === null) return null;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) problems.push(`${name} must use ${protocols.join(' or ')}`);
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const eventStoreRaw = text('EVENT_STORE') ?? 'postgres';
  if (eventStoreRaw !== 'postgres' && eventStoreRaw !== 'kurrentdb') problems.push('EVENT_STORE must be postgres or kurrentdb');
  const eventStore = eventStoreRaw === 'kurrentdb' ? 'kurrentdb' : 'postgres';
  // Seed lists (`kurrentdb://a:2113,b:2113`) are not URLs: the scheme is checked here, the rest
  // by the client's own parser when the adapter starts.
  const kurrentdbUrl = text('KURRENTDB_URL');
  if (kurrentdbUrl && !/^(?:kurrentdb|kurrent|kdb|esdb)(?:\+discover)?:\/\/\S+$/u.test(kurrentdbUrl)) {
    problems.push(
      'KURRENTDB_URL must be a KurrentDB connection string: kurrentdb://host:2113?tls=false, kurrentdb://a:2113,b:2113,c:2113 or kurrentdb+discover://host:2113',
    );
  }
  if (eventStore === 'kurrentdb' && !kurrentdbUrl) problems.push('EVENT_STORE=kurrentdb needs KURRENTDB_URL');
  const logLevelRaw = text('LOG_LEVEL') ?? 'info';
  const logLevel = LOG_LEVELS.find((l) => l === logLevelRaw);
  if (!logLevel) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const roleRaw = text('ATTEST_ROLE') ?? 'all';
  const role = ATTEST_ROLES.find((r) => r === roleRaw);
  if (!role) problems.push(`ATTEST_ROLE must be one of ${ATTEST_ROLES.join(', ')}`);
  // The background work of the worker role; an api process runs none of it.
  const background = role !== 'api';
  const projectionsRaw = text('ATTEST_PROJECTIONS') ?? 'on';
  if (projectionsRaw !== 'on' && projectionsRaw !== 'off') problems.push('ATTEST_PROJECTIONS must be on or off');
  const projectionPartitions: Record<string, number> = {};
  for (const part of (text('ATTEST_PROJECTION_PARTITIONS') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(part);
    const count = Number(match?.[2]);
    if (!match?.[1] || count < 2 || count > 64) problems.push(`ATTEST_PROJECTION_PARTITIONS: ${part} is not <projection>=<2..64>`);
    else projectionPartitions[match[1]] = count;
  }
  const jobsRaw = text('ATTEST_JOBS') ?? 'on';
  if (jobsRaw !== 'on' && jobsRaw !== 'off') problems.push('ATTEST_JOBS must be on or off');
  const dispatchRaw = text('ATTEST_MESSAGING_DISPATCH') ?? 'on';
  if (dispatchRaw !== 'on' && dispatchRaw !== 'off') problems.push('ATTEST_MESSAGING_DISPATCH must be on or off');
  const privateWebhooksRaw = text('ATTEST_TENANT_WEBHOOKS_ALLOW_PRIVATE') ?? 'off';
  if (privateWebhooksRaw !== 'on' && privateWebhooksRaw !== 'off') problems.push('ATTEST_TENANT_WEBHOOKS_ALLOW_PRIVATE must be on or off');

  const databaseAppUrl = url('DATABASE_APP_URL', ['postgres:', 'postgresql:']);
  const databaseReplicaUrl = url('DATABASE_REPLICA_URL', ['postgres:', 'postgresql:']);
  if (databaseReplicaUrl && !databaseUrl) problems.push('DATABASE_REPLICA_URL needs DATABASE_URL: the embedded default has no replica');
  const issuer = text('OIDC_ISSUER');
  const audience = text('OIDC_AUDIENCE');
  const jwksUrl = url('OIDC_JWKS_URL', ['https:', 'http:']);
  const oidcSet = [issuer, audience, jwksUrl].filter((v) => v !== null).length;
  if (oidcSet !== 0 && oidcSet !== 3) problems.push('OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL go together');
  const webhookUrl = url('ATTEST_WEBHOOK_URL', ['https:', 'http:']);
  const webhookSecret = text('ATTEST_WEBHOOK_SECRET');
  if (webhookUrl && (!webhookSecret || webhookSecret.length < 32))
    problems.push('ATTEST_WEBHOOK_SECRET (at least 32 characters) is required with ATTEST_WEBHOOK_URL');
  const holidays = (text('ATTEST_HOLIDAYS') ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  for (const d of holidays) if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) problems.push(`ATTEST_HOLIDAYS: ${d} is not an ISO date (YYYY-MM-DD)`);
  const demoRaw = text('ATTEST_DEMO') ?? 'on';
  const consoleClientId = text('OIDC_CONSOLE_CLIENT_ID');
  const consoleClientSecret = text('OIDC_CONSOLE_CLIENT_SECRET');
  if (Boolean(consoleClientId) !== Boolean(consoleClientSecret)) problems.push('OIDC_CONSOLE_CLIENT_ID and OIDC_CONSOLE_CLIENT_SECRET go together');
  const publicUrl = text('ATTEST_PUBLIC_URL')?.replace(/\/+$/u, '') ?? null;
  if (publicUrl !== null && !/^https?:\/\/[^/\s]+$/u.test(publicUrl))
    problems.push('ATTEST_PUBLIC_URL must be an origin such as https://attest.example.com (no path)');
  const origin = text('ATTEST_RECORD_ORIGIN') ?? 'attest.local/processing-record';
  if (/[\s+]/u.test(origin)) problems.push('ATTEST_RECORD_ORIGIN: no spaces or plus signs (it names the signing key)');
  if (demoRaw !== 'on' && demoRaw !== 'off') problems.push('ATTEST_DEMO must be on or off');

  const config: AttestConfig = {
    databaseUrl,
    eventStore,
    kurrentdbUrl,
    host: text('HOST') ?? '127.0.0.1',
    port: int('PORT', 3000, 0, 65535),
    publicUrl,
    dataDir: text('ATTEST_DATA_DIR') ?? '.data',
    embeddedPostgresPort: int('ATTEST_EMBEDDED_PG_PORT', 54329, 1024, 65535),
    logLevel: logLevel ?? 'info',
    pollIntervalMs: int('EVENT_STORE_POLL_INTERVAL_MS', 1000, 10, 60_000),
    role: role ?? 'all',
    projections: background && projectionsRaw !== 'off',
    projectionPartitions,
    jobs: background && jobsRaw !== 'off',
    messagingDispatch: background && dispatchRaw !== 'off',
    decisionCache: { maxSubjects: int('ATTEST_DECISION_CACHE_SUBJECTS', 100_000, 0, 10_000_000), waitMs: int('ATTEST_DECISION_WAIT_MS', 200, 0, 10_000) },
    accounts: { inactivityRestrictionDays: int('ATTEST_INACTIVITY_RESTRICTION_DAYS', 90, 7, 3650) },
    databaseAppUrl,
    databaseReplicaUrl,
    oidc:
      issuer && audience && jwksUrl
        ? {
            issuer,
            audience,
            jwksUrl,
            tenantClaim: text('OIDC_TENANT_CLAIM') ?? 'tenant_id',
            rolesClaim: text('OIDC_ROLES_CLAIM') ?? 'roles',
            console: consoleClientId && consoleClientSecret ? { clientId: consoleClientId, clientSecret: consoleClientSecret } : null,
          }
        : null,
    rateLimitPerMinute: int('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    demo: demoRaw !== 'off',
    masterKey: text('ATTEST_MASTER_KEY'),
    processingRecord: {
      origin,
      signerKey: text('ATTEST_RECORD_SIGNER_KEY'),
      retentionYears: int('ATTEST_RECORD_RETENTION_YEARS', 3, 3, 100),
      checkpointIntervalSeconds: int('ATTEST_CHECKPOINT_INTERVAL_SECONDS', 60, 1, 86_400),
    },
    erasureJournal: text('ATTEST_ERASURE_JOURNAL') ?? `${text('ATTEST_DATA_DIR') ?? '.data'}/erasure-journal.log`,
    previousMasterKeys: (text('ATTEST_MASTER_KEY_PREVIOUS') ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    webhook: webhookUrl && webhookSecret ? { url: webhookUrl, secret: webhookSecret } : null,
    tenantWebhooksAllowPrivate: privateWebhooksRaw === 'on',
    publicFlowPerMinute: int('ATTEST_PUBLIC_FLOW_PER_MINUTE', 20, 1, 1_000_000),
    holidays,
  };
  if (databaseUrl && !config.masterKey && options.keys !== false) problems.push('ATTEST_MASTER_KEY is required with DATABASE_URL (base64 of 32 random bytes)');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
