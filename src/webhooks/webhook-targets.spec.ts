import { loadConfig } from '../config';
import type { HostResolver, ResolvedAddress } from './host-resolver';
import { TargetRefusedError, WebhookTargets } from './webhook-targets';

const SECRETS = {
  AUTH_JWT_SECRET: 'a-production-bearer-secret-of-enough-bytes-0001',
  SESSION_TOKEN_SECRET: 'a-production-session-secret-of-enough-bytes-002',
  DATABASE_URL: 'sqlite:/tmp/unused.sqlite',
  AUTH_JWT_ISSUER: 'https://idp.example',
  AUTH_JWT_AUDIENCE: 'users-organizations',
};

function targets(env: Record<string, string>, addresses: Record<string, string[]>) {
  const resolver = {
    resolve: (hostname: string): Promise<ResolvedAddress[]> =>
      hostname in addresses
        ? Promise.resolve(addresses[hostname].map((address) => ({ address, family: 4 as const })))
        : Promise.reject(new Error('ENOTFOUND')),
  };
  return new WebhookTargets(loadConfig({ ...SECRETS, ...env }), resolver as HostResolver);
}

describe('WebhookTargets', () => {
  const names = { 'hooks.example': ['93.184.215.14'], 'internal.example': ['10.0.0.5'] };

  it('wants https in production, whatever the address', async () => {
    const production = targets({ NODE_ENV: 'production' }, names);
    await expect(production.checkUrl('https://hooks.example/in')).resolves.toBeInstanceOf(URL);
    await expect(production.checkUrl('http://hooks.example/in')).rejects.toThrow('must use https');
    const allowed = targets(
      { NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
      names,
    );
    await expect(allowed.checkUrl('http://hooks.example/in')).rejects.toThrow('must use https');
  });

  it('allows private networks outside production by default; in production says what lifts the rule', async () => {
    await expect(targets({}, names).checkUrl('http://internal.example/in')).resolves.toBeInstanceOf(
      URL,
    );
    await expect(
      targets({ NODE_ENV: 'production' }, names).checkUrl('https://internal.example/in'),
    ).rejects.toThrow('WEBHOOK_ALLOW_PRIVATE_NETWORKS=true lifts this rule');
  });

  it('takes http outside production', async () => {
    await expect(targets({}, names).checkUrl('http://hooks.example/in')).resolves.toBeInstanceOf(
      URL,
    );
  });

  it('refuses private addresses after DNS unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is true', async () => {
    const closed = { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' };
    const refusal = targets(closed, names).checkUrl('https://internal.example/');
    await expect(refusal).rejects.toThrow(
      'internal.example does not resolve to public addresses only: webhooks only go to public addresses (WEBHOOK_ALLOW_PRIVATE_NETWORKS=true lifts this rule on closed networks)',
    );
    // The rule, never the address: an administrator cannot map the network with it.
    await expect(refusal).rejects.not.toThrow('10.0.0.5');
    await expect(targets(closed, names).checkUrl('https://127.0.0.1/')).rejects.toThrow(
      TargetRefusedError,
    );
    const open = targets({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }, names);
    await expect(open.checkUrl('https://internal.example/')).resolves.toBeInstanceOf(URL);
    await expect(open.checkUrl('http://127.0.0.1:9/')).resolves.toBeInstanceOf(URL);
  });

  it('refuses what is not an http(s) URL, or holds credentials', async () => {
    const open = targets({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }, names);
    await expect(open.checkUrl('hooks.example/in')).rejects.toThrow('must be an absolute URL');
    await expect(open.checkUrl('file:///etc/passwd')).rejects.toThrow('must be an http(s) URL');
    await expect(open.checkUrl('https://u:p@hooks.example/')).rejects.toThrow(
      'must not hold credentials',
    );
    await expect(open.checkUrl('https://missing.example/')).rejects.toThrow(
      'missing.example does not resolve',
    );
  });
});
