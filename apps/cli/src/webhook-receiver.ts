import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DELIVERY_HEADER, SIGNATURE_HEADER, verifyWebhookSignature } from '@attest/notifications';

/**
 * A local stand-in for the platform's e-mail/SMS gateway: receives Attest's
 * signed webhooks, refuses bad signatures and replays, and prints each
 * message to the terminal — so one-time codes and invitation links can be
 * followed on a development machine. Not for production: it prints personal data.
 */
export async function startWebhookReceiver(secret: string, port: number, out: (line: string) => void): Promise<{ server: Server; url: string }> {
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = req.headers[SIGNATURE_HEADER];
      const check = verifyWebhookSignature(secret, typeof signature === 'string' ? signature : undefined, body, Math.floor(Date.now() / 1000));
      if (!check.valid) {
        out(`refused a delivery: signature ${check.reason}`);
        res.statusCode = 401;
        res.end();
        return;
      }
      const delivery = req.headers[DELIVERY_HEADER];
      const id = typeof delivery === 'string' ? delivery : '';
      // At-least-once delivery: a repeat is acknowledged, not shown twice.
      if (!seen.has(id)) {
        seen.add(id);
        const message = JSON.parse(body) as { kind?: unknown; tenantId?: unknown; payload?: unknown };
        out(`${String(message.kind)} for tenant ${String(message.tenantId)}: ${JSON.stringify(message.payload)}`);
      }
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/` };
}
