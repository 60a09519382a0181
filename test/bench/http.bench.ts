/**
 * npm run bench:http — the same Nest controller on the Fastify and the Express
 * adapter, loaded from this process over loopback with keep-alive clients.
 * Rounds alternate so both see the same machine. JSON on the last line.
 *
 *   BENCH_SECONDS  per adapter and round (default 5)   BENCH_CLIENTS (default 32)
 */
import 'reflect-metadata';
import http from 'node:http';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { runBench } from './support';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 32);
const ROUNDS = 2;

@Controller('health')
class PingController {
  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [PingController] })
class BenchModule {}

async function start(kind: 'fastify' | 'express'): Promise<{ port: number; close: () => Promise<void> }> {
  const app =
    kind === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(BenchModule, new FastifyAdapter(), { logger: false })
      : await NestFactory.create<NestExpressApplication>(BenchModule, new ExpressAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return { port: address.port, close: () => app.close() };
}

function get(agent: http.Agent, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health/live', agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) resolve();
        else reject(new Error(`status ${String(res.statusCode)}`));
      });
    });
    req.on('error', reject);
  });
}

async function load(port: number, seconds: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  const counts = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      let n = 0;
      while (Date.now() < deadline) {
        await get(agent, port);
        n += 1;
      }
      return n;
    }),
  );
  agent.destroy();
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  return counts.reduce((a, b) => a + b, 0) / secs;
}

async function main(): Promise<void> {
  const rates: Record<'fastify' | 'express', number[]> = { fastify: [], express: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of ['fastify', 'express'] as const) {
      const server = await start(kind);
      await load(server.port, 1); // warm-up
      rates[kind].push(await load(server.port, SECONDS));
      await server.close();
    }
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const fastify = Math.round(mean(rates.fastify));
  const express = Math.round(mean(rates.express));
  process.stdout.write(`adapter  requests/s (GET /health/live, ${CLIENTS} keep-alive clients)\n`);
  process.stdout.write(`fastify  ${fastify}\nexpress  ${express}\n`);
  process.stdout.write(
    `${JSON.stringify({ clients: CLIENTS, seconds: SECONDS, fastifyReqPerSec: fastify, expressReqPerSec: express, ratio: Number((fastify / express).toFixed(2)) })}\n`,
  );
}

runBench(main);
