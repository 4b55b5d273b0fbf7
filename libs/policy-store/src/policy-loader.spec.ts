import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LearnedRouter, PolicyError, trainLearnedRouter } from '@switchyard/routing';
import { loadPolicyFile, loadPolicyText, readPolicyFile, storedModelsNamedBy } from './policy-loader';

describe(readPolicyFile.name, () => {
  it('loads the repository default policy', () => {
    expect(readPolicyFile(join(__dirname, '../../../policies/default.yaml')).version).toBe('default@1');
  });
  it('names the file when it is missing', () => {
    expect(() => readPolicyFile('/nonexistent/policy.yaml')).toThrow(
      /cannot read policy file \/nonexistent\/policy.yaml/,
    );
  });
  it('names the file and the field when it is invalid', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'policy-')), 'bad.yaml');
    writeFileSync(file, 'version: x\nmodels: []\ndefault: { route: { model: a } }\n');
    expect(() => readPolicyFile(file)).toThrow(PolicyError);
    expect(() => readPolicyFile(file)).toThrow(`${file}: models`);
  });
});

describe('learned artifact of a policy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'learned-'));
  const artifact = trainLearnedRouter(
    Array.from({ length: 40 }, (_, i) => ({ text: `q${i % 4}`, outcomes: { a: { score: i % 2 }, b: { score: 1 } } })),
    { version: 'toy@1', dims: 1 << 10, epochs: 1 },
  );
  writeFileSync(join(dir, 'toy.json'), JSON.stringify(artifact));
  const policy = (artifactPath: string) =>
    `version: l@1\nlearned: { artifact: ${artifactPath}, tolerance: 0.1 }\nmodels:\n  - { id: a, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }\n  - { id: b, provider: simulated, tier: u, priceUsdPerMTok: { input: 2, output: 2 } }\ndefault: { route: { model: a } }\n`;

  it('loads the artifact named relative to the policy file', () => {
    writeFileSync(join(dir, 'p.yaml'), policy('toy.json'));
    const loaded = loadPolicyFile(join(dir, 'p.yaml'));
    expect(loaded.learned?.router.version).toBe('toy@1');
    expect(loaded.learned?.settings).toMatchObject({ mode: 'cost-aware', tolerance: 0.1 });
  });

  it('refuses a target the router was not calibrated for, naming learned.target', () => {
    // 40 examples: too few to calibrate on.
    writeFileSync(
      join(dir, 't.yaml'),
      policy('toy.json').replace('tolerance: 0.1', 'target: { quality: 0.95, of: b }'),
    );
    expect(() => loadPolicyFile(join(dir, 't.yaml'))).toThrow(/learned.target: router toy@1 has no calibration/);
  });

  it('resolves a target on a calibrated router when the policy loads', () => {
    const calibrated = trainLearnedRouter(
      Array.from({ length: 300 }, (_, i) => ({
        text: i % 2 ? `prove lemma ${i % 7}` : `add ${i % 5} and ${i % 3}`,
        outcomes: { a: { score: i % 2 ? 0 : 1, costUsd: 1 }, b: { score: 1, costUsd: 10 } },
      })),
      { version: 'cal@1', dims: 1 << 10 },
    );
    writeFileSync(join(dir, 'cal.json'), JSON.stringify(calibrated));
    writeFileSync(join(dir, 'c.yaml'), policy('cal.json').replace('tolerance: 0.1', 'target: { quality: 1, of: b }'));
    const loaded = loadPolicyFile(join(dir, 'c.yaml'));
    expect(loaded.learned?.mix).toMatchObject({ reached: true, expectedQuality: 1 });
  });

  it('refuses a stored router without the store, and loads it with the learned level skipped or unchecked', () => {
    writeFileSync(join(dir, 's.yaml'), policy('toy.json').replace('artifact: toy.json', 'model: lr-1'));
    expect(() => loadPolicyFile(join(dir, 's.yaml'))).toThrow(
      /learned.model: model lr-1 is in the model store, which this process does not read \(decision-engine reads it/,
    );
    // What provider-adapters checks at start: it never routes, so it needs the models and prices alone.
    expect(loadPolicyFile(join(dir, 's.yaml'), undefined, { learned: 'skip' }).learned).toBeUndefined();
    // decision-engine's check before any connection: the rest is checked, the stored router later.
    expect(loadPolicyFile(join(dir, 's.yaml'), undefined, { stored: 'unchecked' }).learned).toBeUndefined();
    writeFileSync(join(dir, 's-bad.yaml'), policy('toy.json').replace('artifact: toy.json', 'model: lr-1, mode: x'));
    expect(() => loadPolicyFile(join(dir, 's-bad.yaml'), undefined, { stored: 'unchecked' })).toThrow(/learned.mode/);
  });

  it('loads a stored router from the lookup, and a file router beside an unchecked stored one', () => {
    writeFileSync(join(dir, 'st.yaml'), policy('toy.json').replace('artifact: toy.json', 'model: toy-2'));
    const toy = new LearnedRouter({ ...artifact, version: 'toy-2' });
    const stored = (v: string) => (v === 'toy-2' ? toy : undefined);
    expect(loadPolicyFile(join(dir, 'st.yaml'), undefined, { stored }).learned?.router).toBe(toy);
    expect(() => loadPolicyFile(join(dir, 'st.yaml'), undefined, { stored: () => undefined })).toThrow(
      /learned.model: model toy-2 could not be loaded from the model store/,
    );
    // A canary whose candidate file serves a stored router, the control a file: only the stored one unchecked.
    writeFileSync(
      join(dir, 'cand.yaml'),
      policy('toy.json').replace('artifact: toy.json', 'model: lr-2').replace('l@1', 'l@2'),
    );
    writeFileSync(join(dir, 'ctl.yaml'), `canary: { percent: 10, policy: cand.yaml }\n${policy('toy.json')}`);
    const loaded = loadPolicyFile(join(dir, 'ctl.yaml'), undefined, { stored: 'unchecked' });
    expect(loaded.learned?.router.version).toBe('toy@1');
    expect(loaded.canary?.candidate.learned).toBeUndefined();
  });

  it('names the stored routers a policy and its canary candidate (inline or a file) name, once each', () => {
    const stored = (model: string, version: string) =>
      policy('toy.json').replace('artifact: toy.json', `model: ${model}`).replace('l@1', version);
    writeFileSync(join(dir, 'cand-2.yaml'), stored('lr-2', 'l@2'));
    writeFileSync(join(dir, 'cand-1.yaml'), stored('lr-1', 'l@2'));
    const text = (candidate: string) => `canary: { percent: 10, policy: ${candidate} }\n${stored('lr-1', 'l@1')}`;
    expect(storedModelsNamedBy(text('cand-2.yaml'), dir)).toEqual(['lr-1', 'lr-2']);
    expect(storedModelsNamedBy(text('cand-1.yaml'), dir)).toEqual(['lr-1']);
    expect(storedModelsNamedBy(text('missing.yaml'), dir)).toEqual(['lr-1']);
    const inline = `canary: { percent: 10, candidate: { version: l@2, learned: { model: lr-3 }, models: [{ id: a, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }], default: { route: { model: a } } } }\n${stored('lr-1', 'l@1')}`;
    expect(storedModelsNamedBy(inline)).toEqual(['lr-1', 'lr-3']);
    expect(storedModelsNamedBy(text('cand-2.yaml'))).toEqual(['lr-1']); // no directory: the candidate file is not read
    expect(storedModelsNamedBy('not: [a policy')).toEqual([]);
  });

  it('names learned.artifact and says how to make one when it is missing', () => {
    writeFileSync(join(dir, 'q.yaml'), policy('missing.json'));
    expect(() => loadPolicyFile(join(dir, 'q.yaml'))).toThrow(
      /learned.artifact: cannot load .*missing.json.*switchyard train/,
    );
  });
});

describe('a canary candidate given inline', () => {
  const models = `models:\n  - { id: a, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }\n  - { id: b, provider: simulated, tier: u, priceUsdPerMTok: { input: 2, output: 2 } }\n`;
  const candidate = {
    version: 'c@2',
    models: [{ id: 'b', provider: 'simulated', tier: 'u', priceUsdPerMTok: { input: 2, output: 2 } }],
    default: { route: { model: 'b' } },
  };

  it('is compiled and loaded as a file candidate would be', () => {
    const text = `version: c@1\n${models}default: { route: { model: a } }\ncanary: { percent: 10, candidate: ${JSON.stringify(candidate)} }\n`;
    const loaded = loadPolicyText(text, tmpdir(), 'published');
    expect(loaded.canary?.candidate.policy.version).toBe('c@2');
    expect(loaded.canary?.settings.percent).toBe(10);
  });

  it('is refused when invalid, or when given besides a file, naming the field', () => {
    const bad = `version: c@1\n${models}default: { route: { model: a } }\ncanary: { percent: 10, candidate: { version: c@2 } }\n`;
    expect(() => loadPolicyText(bad, tmpdir(), 'published')).toThrow(/published: canary\.candidate: models/);
    const both = `version: c@1\n${models}default: { route: { model: a } }\ncanary: { percent: 10, policy: x.yaml, candidate: ${JSON.stringify(candidate)} }\n`;
    expect(() => loadPolicyText(both, tmpdir(), 'published')).toThrow(/either as a file .* or inline/);
  });
});
