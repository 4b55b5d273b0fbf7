import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { loadPolicyText, policyTrustOf } from '@switchyard/policy-store';
import { DEFAULT_POLICY_TRUST } from '@switchyard/routing';
import { parse } from 'yaml';
import { UPSTREAM_KEY_ENV, policyOnUpstream, upstreamTrustEnv } from './gateway-policy';

const root = findWorkspaceRoot(__dirname);
const seed = readFileSync(join(root, 'policies', 'default.yaml'), 'utf8');
const upstream = 'http://127.0.0.1:45678/v1';

describe(policyOnUpstream.name, () => {
  const sut = policyOnUpstream(seed, upstream);

  it('puts every model of the seed policy on the upstream as an OpenAI-compatible provider', () => {
    const models = (parse(sut) as { models: Array<Record<string, unknown>> }).models;
    expect(models.length).toBeGreaterThan(0);
    for (const model of models)
      expect(model).toMatchObject({ provider: 'openai-compatible', baseUrl: upstream, apiKeyEnv: UPSTREAM_KEY_ENV });
  });

  it('keeps the rules, difficulty bands, tiers and prices as they are, under a version of its own', () => {
    const [before, after] = [parse(seed), parse(sut)] as Array<Record<string, unknown>>;
    expect(after['rules']).toEqual(before['rules']);
    expect(after['difficulty']).toEqual(before['difficulty']);
    expect(after['default']).toEqual(before['default']);
    const strip = (models: unknown) =>
      (models as Array<Record<string, unknown>>).map(({ id, tier, priceUsdPerMTok }) => ({
        id,
        tier,
        priceUsdPerMTok,
      }));
    expect(strip(after['models'])).toEqual(strip(before['models']));
    expect(after['version']).toBe(`${String(before['version'])}+bench-gateway`);
  });

  it('passes the policy trust check with the environment the services are given, and only with it', () => {
    const env = upstreamTrustEnv(upstream);
    const trust = policyTrustOf({
      POLICY_KEY_ENV_PREFIX: env['POLICY_KEY_ENV_PREFIX'],
      POLICY_ALLOWED_HOSTS: env['POLICY_ALLOWED_HOSTS'],
    });
    expect(() => loadPolicyText(sut, root, 'bench', trust)).not.toThrow();
    expect(() => loadPolicyText(sut, root, 'bench', DEFAULT_POLICY_TRUST)).toThrow(/POLICY_ALLOWED_HOSTS/);
  });

  it('refuses a policy with no models', () => {
    expect(() => policyOnUpstream('version: x\nmodels: []\n', upstream)).toThrow(/no models/);
  });
});

describe(upstreamTrustEnv.name, () => {
  it("allows exactly the upstream's host and port, and gives the key variable a value under the prefix", () => {
    const sut = upstreamTrustEnv(upstream);
    expect(sut['POLICY_ALLOWED_HOSTS']).toBe('127.0.0.1:45678');
    expect(UPSTREAM_KEY_ENV.startsWith(sut['POLICY_KEY_ENV_PREFIX'])).toBe(true);
    expect(sut[UPSTREAM_KEY_ENV]).not.toBe('');
  });
});
