import { CloudApiClient } from '@attest/messaging-infrastructure';
import { run } from './main';
import { DEVELOPMENT_TEMPLATES, developmentNumber, startDevelopmentSimulator } from './whatsapp-simulator';

describe('attest whatsapp-simulator (the local WhatsApp Cloud API for development)', () => {
  it('starts with one business number and its templates, which the real client lists and sends to', async () => {
    const lines: string[] = [];
    const simulator = await startDevelopmentSimulator(0, undefined, {}, (line) => lines.push(line));
    try {
      const number = developmentNumber({}, undefined);
      const client = new CloudApiClient({ baseUrl: simulator.url(), version: 'v23.0', ...number });
      expect((await client.listTemplates()).map((t) => t.name)).toEqual(DEVELOPMENT_TEMPLATES.map((t) => t.name));
      const sent = await client.send({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '8613800000001',
        type: 'template',
        template: { name: 'login_code', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '123456' }] }] },
      });
      expect(sent.kind).toBe('accepted');
      expect(lines.join('\n')).toContain('no --callback');
    } finally {
      await simulator.stop();
    }
  });

  it('takes its credentials from the environment when set', () => {
    expect(
      developmentNumber({ ATTEST_WA_SIM_ACCESS_TOKEN: 'a', ATTEST_WA_SIM_APP_SECRET: 'b', ATTEST_WA_SIM_VERIFY_TOKEN: 'c' }, 'http://127.0.0.1:3000/x'),
    ).toMatchObject({
      accessToken: 'a',
      appSecret: 'b',
      verifyToken: 'c',
      callbackUrl: 'http://127.0.0.1:3000/x',
    });
  });

  it('refuses a port or a callback that cannot be used (exit 2)', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await run(['whatsapp-simulator', '--port', 'eighty'])).toBe(2);
      expect(await run(['whatsapp-simulator', '--callback', 'ftp://example.org'])).toBe(2);
    } finally {
      write.mockRestore();
    }
  });
});
