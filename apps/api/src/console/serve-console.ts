import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '@attest/http';

/** Where `npm run console:build` writes the console (Vite, base `/console/`). */
export const CONSOLE_DIST = join(__dirname, '..', '..', '..', '..', 'dist', 'apps', 'console');

/**
 * The console's Content-Security-Policy: its own scripts, styles and API only —
 * no inline script or style, no other origin, no framing.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  readonly body: Buffer;
  /** The body gzipped once at start, for text files (about a third of the size); null when it would not shrink. */
  readonly gzip: Buffer | null;
  readonly type: string;
  /** Vite's hashed file names never change content: cached for a year. */
  readonly immutable: boolean;
}

function load(dir: string): Map<string, Asset> {
  const files = new Map<string, Asset>();
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const key = relative(dir, path).split(sep).join('/');
        const body = readFileSync(path);
        const type = TYPES[extname(name)] ?? 'application/octet-stream';
        const packed = /^(text\/|application\/json|image\/svg)/u.test(type) ? gzipSync(body, { level: 9 }) : null;
        files.set(key, { body, gzip: packed && packed.length < body.length ? packed : null, type, immutable: key.startsWith('assets/') });
      }
    }
  };
  walk(dir);
  return files;
}

/** The file as the browser accepts it: gzipped when it says it takes gzip. */
function send(request: FastifyRequest, reply: FastifyReply, file: Asset): FastifyReply {
  reply.header('vary', 'accept-encoding').type(file.type);
  const accepts = request.headers['accept-encoding'];
  if (file.gzip && typeof accepts === 'string' && /\bgzip\b/u.test(accepts)) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cross-origin-opener-policy', 'same-origin');
}

/**
 * Serves the built console under `/console/` on the API's origin: its files as
 * built (kept in memory: a few hundred kB), and `index.html` for every other
 * path below it (the single-page app routes them). Without a build, `/console/`
 * answers a problem saying how to build it.
 */
export function serveConsole(fastify: FastifyInstance, dir: string = CONSOLE_DIST): void {
  const files = existsSync(join(dir, 'index.html')) ? load(dir) : null;
  fastify.get('/console', (_request, reply) => reply.redirect('/console/', 301));
  fastify.get('/console/*', (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    if (!files) {
      sendProblem(request, reply, { status: 404, code: 'CONSOLE.NOT_BUILT', detail: 'The console is not built on this server: run `npm run console:build`.' });
      return reply;
    }
    const path = request.params['*'];
    const file = files.get(path);
    if (file) {
      return send(request, securityHeaders(reply).header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache'), file);
    }
    // A missing hashed asset is a 404, not the app: a stale page must not run a script it did not ask for.
    if (path.startsWith('assets/')) {
      sendProblem(request, reply, { status: 404, code: 'HTTP.NOT_FOUND', detail: 'No such console file.' });
      return reply;
    }
    const index = files.get('index.html');
    if (!index) throw new Error('the console build has no index.html');
    return send(request, securityHeaders(reply).header('cache-control', 'no-cache'), index);
  });
}
