import { createProjections } from '@attest/runtime';
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createDataSource } from '@attest/database';
import { PostgresEventStore } from '@attest/event-store-postgres';
import { Outbox } from '@attest/notifications';
import { parseMasterKey, PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import { createLogger, createMetricsRegistry } from '@attest/observability';
import { PostgresRecordLog } from '@attest/processing-infrastructure';
import { generateSignerKey, parseSignerKey } from '@attest/transparency';
import { createApp, openApiDocument } from './app';
import { generateResponseSchemas, RESPONSE_SCHEMAS_FILE } from './response-schemas';

export const OPENAPI_FILE = join(__dirname, '..', '..', '..', 'docs', 'openapi.json');

/**
 * The OpenAPI document of the app as built by `createApp`, without touching a
 * database: connections are created lazily and never used here.
 */
export async function generateOpenApi(): Promise<OpenAPIObject> {
  const url = 'postgres://unused@127.0.0.1:1/unused';
  const dataSource = createDataSource({ url, migrations: [] });
  const store = new PostgresEventStore({ connectionString: url });
  const vault = new PostgresKeyVault({ connectionString: url, masterKey: parseMasterKey(Buffer.alloc(32).toString('base64')) });
  const privacy = new ReadModelPrivacy(vault);
  const outbox = new Outbox(privacy);
  const recordLog = new PostgresRecordLog(dataSource, null, {
    origin: 'attest.local/processing-record',
    signer: parseSignerKey(generateSignerKey('attest.local/processing-record')),
  });
  const app = await createApp({
    vault,
    privacy,
    outbox,
    recordLog,
    // The real projection definitions (each context module names those it applies inline); none runs here.
    projections: createProjections({ store, privacy, outbox, recordLog }),
    dataSource,
    appDataSource: dataSource,
    store,
    registry: createMetricsRegistry({ defaultMetrics: false }),
    runners: [],
    logger: createLogger({ level: 'silent' }),
    oidc: null,
    rateLimitPerMinute: 1,
  });
  try {
    return openApiDocument(app);
  } finally {
    await app.close();
    await store.close();
    await vault.close();
  }
}

export function serialise(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

// `npm run openapi` rewrites the response schemas from their TypeScript types, then docs/openapi.json.
if (require.main === module) {
  generateResponseSchemas()
    .then((schemas) => {
      writeFileSync(RESPONSE_SCHEMAS_FILE, `${JSON.stringify(schemas, null, 2)}\n`);
      return generateOpenApi();
    })
    .then(
      (doc) => {
        writeFileSync(OPENAPI_FILE, serialise(doc));
        process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
      },
      (error: unknown) => {
        process.stderr.write(`openapi failed: ${error instanceof Error ? error.message : 'unknown'}\n`);
        process.exit(1);
      },
    );
}
