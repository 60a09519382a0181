/**
 * The load generator of bench:decisions, in its own process so the server's
 * event loop is not shared with the client's: an open loop of POSTs at a fixed
 * rate; sends its sorted latencies (ms) back over IPC.
 */
import http from 'node:http';

interface Job {
  readonly port: number;
  readonly key: string;
  readonly rate: number;
  readonly seconds: number;
  readonly path: string;
  readonly bodies: readonly string[];
  /** Load first for this long, unmeasured, on the same connections. */
  readonly warmupSeconds?: number;
}

function post(agent: http.Agent, job: Job, payload: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: job.port, path: job.path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${job.key}` } },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function run(job: Job): Promise<{ latencies: number[]; perSec: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  if (job.warmupSeconds) await measure(agent, { ...job, seconds: job.warmupSeconds });
  const result = await measure(agent, job);
  agent.destroy();
  return result;
}

async function measure(agent: http.Agent, job: Job): Promise<{ latencies: number[]; perSec: number; errors: number }> {
  const latencies: number[] = [];
  const trace: [number, number][] = [];
  let errors = 0;
  const total = Math.floor(job.rate * job.seconds);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / job.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(
      post(agent, job, job.bodies[i % job.bodies.length] ?? '{}').then(
        (status) => {
          if (status === 200) {
            latencies.push(performance.now() - t0);
            if (process.env['BENCH_TRACE']) trace.push([Math.round(t0 - started), Math.round(performance.now() - t0)]);
          }
          else errors += 1;
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  if (process.env['BENCH_TRACE']) process.stderr.write(`${JSON.stringify(trace.filter(([, l]) => l > 40))}\n`);
  return { latencies: latencies.sort((a, b) => a - b), perSec: latencies.length / ((performance.now() - started) / 1000), errors };
}

process.on('message', (job: Job) => {
  void run(job).then((result) => {
    process.send?.(result, () => process.exit(0));
  });
});
