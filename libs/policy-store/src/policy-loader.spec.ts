import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyError } from '@switchyard/routing';
import { readPolicyFile } from './policy-loader';

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
