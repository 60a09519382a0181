import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Counter, Histogram } from 'prom-client';
import { uuidv7 } from '@attest/kernel';
import { AppModule, type AppDependencies } from './app.module';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ProblemDetailsFilter, runWithContext, sendProblem, urlProblem } from '@attest/http';
import { serveConsole } from './console/serve-console';
import { NestPinoLogger } from './http/nest-pino-logger';
import { committedExamples } from './openapi-examples';
import { committedResponseSchemas } from './response-schemas';

const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the Nest application on Fastify; the caller decides whether to listen. */
export async function createApp(deps: AppDependencies): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: 1024 * 1024,
    // Correlation id: the caller's when well-formed, else a new UUIDv7.
    genReqId: (req: IncomingMessage) => {
      const header = req.headers[CORRELATION_HEADER];
      return typeof header === 'string' && CORRELATION_ID.test(header) ? header : uuidv7();
    },
    // What the router refuses before any hook (a path parameter that is not valid percent-encoding) is problem+json too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      if (error.code === 'FST_ERR_BAD_URL')
        sendProblem(request, reply, { status: 400, code: 'HTTP.BAD_URL', detail: 'the URL holds a percent-encoding that is not valid UTF-8' });
      else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
        sendProblem(request, reply, { status: 414, code: 'HTTP.URI_TOO_LONG', detail: 'a path segment of the URL is too long' });
      else sendProblem(request, reply, { status: 500, code: 'HTTP.INTERNAL' });
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(deps), adapter, {
    logger: new NestPinoLogger(deps.logger),
    abortOnError: false,
    // Fastify's own JSON parser only: any other body type is 415 problem+json.
    bodyParser: false,
  });
  app.useGlobalFilters(new ProblemDetailsFilter(deps.logger));
  // No shutdown hooks of Nest's: the process that serves the app owns its signals (main.ts stops
  // the app, then the workers and the database, in order); app.close() runs the lifecycle hooks.

  const requests = new Counter({
    name: 'attest_http_requests_total',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [deps.registry],
  });
  const duration = new Histogram({
    name: 'attest_http_request_duration_seconds',
    help: 'HTTP request duration by method and route.',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [deps.registry],
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser(['text/plain']);
  // An empty body sent as application/json (as curl does with -H only) is an empty object, not malformed JSON.
  const json = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    // The bytes as received, for routes that check a signature over them (Meta's webhooks).
    (request as typeof request & { rawBody?: Buffer }).rawBody = body as Buffer;
    if (body.length === 0) done(null, {});
    else void json(request, body.toString('utf8'), done);
  });
  // N4: NUL, control characters or broken percent-encoding anywhere in the URL are refused before any route.
  fastify.addHook('onRequest', (request, reply, done) => {
    const problem = urlProblem(request.raw.url ?? '');
    if (problem) sendProblem(request, reply, { status: 400, code: 'HTTP.BAD_URL', detail: problem });
    else done();
  });
  // A worker process answers for its own health and metrics only (ATTEST_ROLE=worker).
  if (deps.role === 'worker') {
    fastify.addHook('onRequest', (request, reply, done) => {
      const path = (request.raw.url ?? '').split('?')[0] ?? '';
      if (path === '/metrics' || path.startsWith('/health/')) done();
      else
        sendProblem(request, reply, {
          status: 404,
          code: 'HTTP.WORKER_ROLE',
          detail: 'this process runs the worker role (ATTEST_ROLE=worker): it serves /health/live, /health/ready and /metrics only',
        });
    });
  }
  // Everything a request does runs inside its context: principal, purpose, correlation id.
  fastify.addHook('onRequest', (request, _reply, done) => {
    runWithContext({ correlationId: request.id }, done);
  });
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header(CORRELATION_HEADER, request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: paths and query strings may carry personal data.
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, seconds);
    deps.logger.info({ correlationId: request.id, method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  serveConsole(fastify, deps.consoleDir);
  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs-json', customSiteTitle: 'Attest API' });
  await app.init();
  return app;
}

/** The OpenAPI 3.1 description of every route; docs/openapi.json is this, committed. */
export function openApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Attest API')
    .setDescription(
      'The event-sourced compliance core of the CRM platform. Authenticate with `Authorization: Bearer <API key or OIDC access token>`. ' +
        'Every error is application/problem+json (RFC 9457) with a stable `code`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (atk_…) or an OIDC access token' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // Response types generated from TypeScript (apps/api/src/response-schemas.ts), next to the DTO schemas.
  const schemas = document.components?.schemas ?? {};
  for (const [name, schema] of Object.entries(committedResponseSchemas())) {
    if (name in schemas) throw new Error(`the response type ${name} has the name of a DTO schema`);
    schemas[name] = schema;
  }
  // Example answers recorded from the end-to-end specs (apps/api/src/openapi-examples.ts).
  const examples = committedExamples();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(
      item as Record<string, { responses?: Record<string, { content?: Record<string, { example?: unknown }> }> }>,
    )) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        for (const [media, content] of Object.entries(response.content ?? {})) {
          const example = examples[`${method.toUpperCase()} ${path} ${status} ${media}`];
          if (example !== undefined) content.example = example;
        }
      }
    }
  }
  return { ...document, components: { ...document.components, schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) } };
}
