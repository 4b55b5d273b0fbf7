import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyFile, policyForRequest } from './policy-loader';

const model = (id: string) =>
  `  - { id: ${id}, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }`;

function files(control: string, candidate: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'canary-'));
  writeFileSync(join(dir, 'candidate.yaml'), candidate);
  writeFileSync(join(dir, 'control.yaml'), control);
  return join(dir, 'control.yaml');
}

const control = (canary: string) =>
  `version: control@1\n${canary}\nmodels:\n${model('old')}\ndefault: { route: { model: old } }\n`;
const candidate = `version: candidate@2\nmodels:\n${model('new')}\ndefault: { route: { model: new } }\n`;

describe(loadPolicyFile.name, () => {
  it('loads the canary candidate beside the control policy', () => {
    const loaded = loadPolicyFile(files(control('canary: { percent: 10, policy: candidate.yaml }'), candidate));
    expect(loaded.canary?.candidate.policy.version).toBe('candidate@2');
    expect(loaded.canary?.settings).toEqual({ percent: 10, stickyBy: 'tenant', policy: 'candidate.yaml' });
  });

  it('refuses a candidate with the same version, or with a canary of its own', () => {
    expect(() =>
      loadPolicyFile(
        files(
          control('canary: { percent: 10, policy: candidate.yaml }'),
          candidate.replace('candidate@2', 'control@1'),
        ),
      ),
    ).toThrow(/same version/);
    expect(() =>
      loadPolicyFile(
        files(
          control('canary: { percent: 10, policy: candidate.yaml }'),
          `canary: { percent: 5, policy: x.yaml }\n${candidate}`,
        ),
      ),
    ).toThrow(/canary of its own/);
  });
});

describe(policyForRequest.name, () => {
  const loaded = loadPolicyFile(
    files(control('canary: { percent: 30, stickyBy: user, policy: candidate.yaml }'), candidate),
  );

  it('keeps each user in one arm and sends about the share to the candidate', () => {
    const arms = Array.from({ length: 3000 }, (_, i) => policyForRequest(loaded, 'acme', `u${i}`));
    const candidates = arms.filter((a) => a.arm === 'candidate');
    expect(candidates.length / arms.length).toBeGreaterThan(0.26);
    expect(candidates.length / arms.length).toBeLessThan(0.34);
    expect(candidates.every((a) => a.policy.version === 'candidate@2')).toBe(true);
    expect(policyForRequest(loaded, 'acme', 'u7').arm).toBe(policyForRequest(loaded, 'other-tenant', 'u7').arm);
  });

  it('has no arm without a canary', () => {
    const plain = loadPolicyFile(files(control(''), candidate));
    expect(policyForRequest(plain, 'acme')).toEqual({ policy: plain.policy, learned: undefined });
  });
});
