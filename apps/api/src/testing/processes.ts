import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** A free TCP port on 127.0.0.1 (for a process that must know its port before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * The first line a child process prints on stdout (where the test processes announce themselves);
 * rejects with its stderr when it exits first. `what` names it in that error.
 */
export function firstLine(child: ChildProcessByStdio<null, Readable, Readable>, what: string): Promise<string> {
  const errors: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString('utf8')));
  return new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => {
      reject(new Error(`${what} exited (${String(code)}): ${errors.join('')}`));
    });
  });
}
