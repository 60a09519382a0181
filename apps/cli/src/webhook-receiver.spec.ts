import { signWebhook } from '@attest/notifications';
import { startWebhookReceiver } from './webhook-receiver';

describe('attest webhook-receiver (local development stand-in for the gateway)', () => {
  it('prints signed messages once and refuses bad or stale signatures', async () => {
    const secret = 's'.repeat(32);
    const lines: string[] = [];
    const { server, url } = await startWebhookReceiver(secret, 0, (l) => lines.push(l));
    try {
      const body = JSON.stringify({ id: 'd-1', kind: 'one-time-code', tenantId: 't', payload: { code: '123456' } });
      const send = (signature: string): Promise<Response> =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'attest-signature': signature, 'attest-delivery': 'd-1' }, body });
      const now = Math.floor(Date.now() / 1000);
      expect((await send(signWebhook(secret, body, now))).status).toBe(204);
      expect((await send(signWebhook(secret, body, now))).status).toBe(204);
      expect((await send(signWebhook('other'.repeat(8), body, now))).status).toBe(401);
      expect((await send(signWebhook(secret, body, now - 3600))).status).toBe(401);
      expect(lines).toEqual(['one-time-code for tenant t: {"code":"123456"}', 'refused a delivery: signature mismatch', 'refused a delivery: signature stale']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });
});
