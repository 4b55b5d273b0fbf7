import { parsePolicy } from './compile-policy';
import { DEFAULT_POLICY_TRUST, hostAllowed, policyTrustProblems } from './policy-trust';

describe(hostAllowed.name, () => {
  const list = ['api.openai.com', '127.0.0.1:8080', '*.openai.azure.com'];

  it('allows listed hosts, host:port pairs and subdomains of a wildcard', () => {
    expect(hostAllowed('https://api.openai.com/v1', list)).toBe(true);
    expect(hostAllowed('http://127.0.0.1:8080/v1', list)).toBe(true);
    expect(hostAllowed('https://acme.openai.azure.com/openai', list)).toBe(true);
  });

  it('refuses other hosts, other ports, look-alikes and junk', () => {
    expect(hostAllowed('https://evil.example/v1', list)).toBe(false);
    expect(hostAllowed('http://127.0.0.1:9999/v1', list)).toBe(false);
    expect(hostAllowed('https://api.openai.com.evil.example/v1', list)).toBe(false);
    expect(hostAllowed('https://openai.azure.com/', list)).toBe(false);
    expect(hostAllowed('https://xopenai.azure.com/', list)).toBe(false);
    expect(hostAllowed('not a url', list)).toBe(false);
  });

  it('allows anything only when told to with "*"', () => {
    expect(hostAllowed('https://anywhere.example', ['*'])).toBe(true);
    expect(hostAllowed('https://anywhere.example', [])).toBe(false);
  });
});

describe(policyTrustProblems.name, () => {
  it('names the key variable and the host that fall outside the allow-lists', () => {
    const policy = parsePolicy(`version: p@1
models:
  - { id: ok, provider: openai, apiKeyEnv: SWITCHYARD_KEY_OPENAI, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
  - { id: leak, provider: openai-compatible, apiKeyEnv: MONGODB_URI, baseUrl: "http://attacker.example:9000/v1", tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
default: { route: { model: ok } }
`);
    expect(policyTrustProblems(policy, DEFAULT_POLICY_TRUST)).toEqual([
      {
        field: 'models.1.apiKeyEnv',
        message: expect.stringMatching(/"MONGODB_URI" does not start with "SWITCHYARD_KEY_"/),
      },
      {
        field: 'models.1.baseUrl',
        message: expect.stringMatching(/attacker\.example:9000.*not in POLICY_ALLOWED_HOSTS/),
      },
    ]);
  });
});
