import { endpointUrlProblem, resolvesPublicly } from './tenant-endpoints';

describe('a tenant’s webhook endpoint URL', () => {
  it('must be https on a public host, without credentials', () => {
    expect(endpointUrlProblem('https://crm.example.com/attest-hooks', false)).toBeNull();
    expect(endpointUrlProblem('https://203.0.113.7/hooks', false)).toBeNull();
    for (const url of [
      'http://crm.example.com/hooks',
      'https://localhost/hooks',
      'https://api.localhost/hooks',
      'https://127.0.0.1/hooks',
      'https://10.1.2.3/hooks',
      'https://172.20.0.1/hooks',
      'https://192.168.1.1/hooks',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hooks',
      'https://[fd00::1]/hooks',
      'https://[::ffff:127.0.0.1]/hooks',
      'https://metadata.google.internal/hooks',
      'https://user:pass@crm.example.com/hooks',
      'nonsense',
      `https://crm.example.com/${'a'.repeat(2_000)}`,
    ])
      expect(endpointUrlProblem(url, false)).not.toBeNull();
  });

  it('may be a local http receiver where the deployment allows it (development, tests)', () => {
    expect(endpointUrlProblem('http://127.0.0.1:8080/hooks', true)).toBeNull();
    expect(endpointUrlProblem('ftp://127.0.0.1/hooks', true)).not.toBeNull();
  });

  it('is refused at delivery when its address is private', async () => {
    expect(await resolvesPublicly('https://10.0.0.5/hooks', false)).toBe(false);
    expect(await resolvesPublicly('https://203.0.113.7/hooks', false)).toBe(true);
    expect(await resolvesPublicly('https://localhost/hooks', false)).toBe(false);
    expect(await resolvesPublicly('http://127.0.0.1/hooks', true)).toBe(true);
  });
});
