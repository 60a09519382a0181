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
  const latencies: number[] = [];
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
          if (status === 200) latencies.push(performance.now() - t0);
          else errors += 1;
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), perSec: latencies.length / ((performance.now() - started) / 1000), errors };
}

process.on('message', (job: Job) => {
  void run(job).then((result) => {
    process.send?.(result, () => process.exit(0));
  });
});
