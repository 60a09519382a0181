/**
 * The load generator of bench:decisions, in its own process so the server's
 * event loop is not shared with the client's: an open loop of POSTs at a fixed
 * rate; sends its sorted latencies (ms) back over IPC.
 *
 * It speaks HTTP/1.1 over plain keep-alive sockets, one request at a time per
 * socket, with the request bytes built once per body: on a two-core machine
 * that runs the server and PostgreSQL too, Node's `http` client cost the
 * measured system about a quarter of a core at 1,000 requests/s. A response is
 * complete when its `content-length` bytes are in; anything it cannot read
 * (no length, chunked) counts as an error.
 */
import net from 'node:net';

interface Job {
  readonly port: number;
  readonly key: string;
  readonly rate: number;
  readonly seconds: number;
  readonly path: string;
  /** POST (default) with one of `bodies` each, or GET of `path` without a body. */
  readonly method?: 'GET' | 'POST';
  readonly bodies: readonly string[];
  /** Extra header lines per body (`name: value`, index-aligned with `bodies`), e.g. a signature of each. */
  readonly headers?: readonly string[];
  /** Load first for this long, unmeasured, on the same connections. */
  readonly warmupSeconds?: number;
  /**
   * Bodies hold this placeholder; each `{ token }` message from the parent replaces it in
   * every body from then on (bench:decisions: the latest consistency token of a stream of changes).
   */
  readonly tokenPlaceholder?: string;
  /** The token in the bodies until the parent sends another. */
  readonly token?: string;
}

/** What the client sends back over IPC. */
export interface LoadResult {
  readonly latencies: number[];
  readonly perSec: number;
  readonly errors: number;
  /** CPU seconds this client spent in the measured part. */
  readonly cpuSeconds: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection carrying one request at a time. */
class Connection {
  private readonly socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: ((status: number) => void) | null = null;
  private failed: ((error: Error) => void) | null = null;
  readonly ready: Promise<void>;
  /** The socket closed: it leaves the idle pool. */
  closed = false;

  constructor(
    port: number,
    private readonly onIdle: (connection: Connection) => void,
  ) {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket = socket;
    this.ready = new Promise((resolve, reject) => {
      socket.once('connect', () => {
        resolve();
      });
      socket.once('error', reject);
    });
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
    socket.on('error', (error) => {
      this.failed?.(error);
    });
    socket.on('close', () => {
      this.closed = true;
      this.failed?.(new Error('connection closed'));
    });
  }

  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    const end = this.buffer.indexOf(HEADER_END);
    if (end < 0 || !this.waiting) return;
    const head = this.buffer.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!match) {
      this.failed?.(new Error('a response without content-length'));
      return;
    }
    const total = end + HEADER_END.length + Number(match[1]);
    if (this.buffer.length < total) return;
    this.buffer = this.buffer.subarray(total);
    const done = this.waiting;
    this.waiting = null;
    this.failed = null;
    this.onIdle(this);
    done(status);
  }
}

let latestToken: string | null = null;

async function run(job: Job): Promise<LoadResult> {
  latestToken = job.token ?? null;
  const auth = job.key ? `authorization: Bearer ${job.key}\r\n` : '';
  const get = Buffer.from(`GET ${job.path} HTTP/1.1\r\nhost: 127.0.0.1:${String(job.port)}\r\n${auth}\r\n`, 'latin1');
  const build = (body: string, i: number): Buffer => {
    const text = job.tokenPlaceholder && latestToken ? body.replaceAll(job.tokenPlaceholder, latestToken) : body;
    const payload = Buffer.from(text, 'utf8');
    const extra = job.headers?.[i] ? `${job.headers[i] ?? ''}\r\n` : '';
    const head = `POST ${job.path} HTTP/1.1\r\nhost: 127.0.0.1:${String(job.port)}\r\ncontent-type: application/json\r\n${auth}${extra}content-length: ${String(payload.length)}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
  };
  let requests = job.method === 'GET' ? [get] : job.bodies.map(build);
  if (job.tokenPlaceholder) {
    process.on('message', (m: { token?: string }) => {
      if (typeof m.token !== 'string') return;
      latestToken = m.token;
      requests = job.bodies.map(build);
    });
  }
  const idle: Connection[] = [];
  const all: Connection[] = [];
  const connection = async (): Promise<Connection> => {
    for (let found = idle.pop(); found; found = idle.pop()) if (!found.closed) return found;
    const created = new Connection(job.port, (c) => idle.push(c));
    all.push(created);
    await created.ready;
    return created;
  };
  const send = async (i: number): Promise<number> => {
    const c = await connection();
    return c.send(requests[i % requests.length] ?? Buffer.alloc(0));
  };
  if (job.warmupSeconds) await measure(job.rate, job.warmupSeconds, send);
  const result = await measure(job.rate, job.seconds, send);
  for (const c of all) c.close();
  return result;
}

async function measure(rate: number, seconds: number, send: (i: number) => Promise<number>): Promise<LoadResult> {
  const latencies: number[] = [];
  const trace: [number, number][] = [];
  let errors = 0;
  const total = Math.floor(rate * seconds);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(
      send(i).then(
        (status) => {
          if (status !== 200) {
            errors += 1;
            return;
          }
          const ms = performance.now() - t0;
          latencies.push(ms);
          if (process.env['BENCH_TRACE']) trace.push([Math.round(t0 - started), Math.round(ms)]);
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  if (process.env['BENCH_TRACE']) process.stderr.write(`${JSON.stringify(trace.filter(([, l]) => l > 10))}\n`);
  const used = process.cpuUsage(cpu);
  return {
    latencies: latencies.sort((a, b) => a - b),
    perSec: latencies.length / ((performance.now() - started) / 1000),
    errors,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}

process.once('message', (job: Job) => {
  void run(job).then((result) => {
    process.send?.(result, () => process.exit(0));
  });
});
