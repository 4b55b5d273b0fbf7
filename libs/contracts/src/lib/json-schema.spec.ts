import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SUBJECTS } from './subjects';
import { contractJsonSchemas } from './json-schema';

// The committed copies clients read; compared as parsed JSON, so reformatting them is not drift.
const COMMITTED = join(__dirname, '..', '..', '..', '..', 'docs', 'schemas');
const REGENERATE = 'run `switchyard schema --out docs/schemas` (after npm run build) and commit the result';

describe(contractJsonSchemas.name, () => {
  const sut = contractJsonSchemas();

  it('names every schema after its subject, with an $id, a title and a description', () => {
    for (const { fileName, schema } of sut) {
      const subject = fileName.replace(/\.(request|reply|delta)\.json$/, '');
      expect(Object.values(SUBJECTS)).toContain(subject);
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: expect.stringContaining(subject),
        title: expect.stringContaining(subject),
        description: expect.stringContaining(subject),
      });
    }
    expect(new Set(sut.map((s) => s.fileName)).size).toBe(sut.length);
  });

  it('describes the chat request as a closed object that needs messages', () => {
    const request = sut.find((s) => s.fileName === `${SUBJECTS.request}.request.json`)?.schema;
    expect(request).toMatchObject({ type: 'object', required: ['messages'], additionalProperties: false });
  });

  it('leaves replies open to fields a later release adds', () => {
    const reply = sut.find((s) => s.fileName === `${SUBJECTS.request}.reply.json`)?.schema as {
      oneOf: Array<Record<string, unknown>>;
    };
    expect(reply.oneOf).toHaveLength(2);
    for (const shape of reply.oneOf) expect(shape).not.toHaveProperty('additionalProperties');
  });

  it('matches the files committed in docs/schemas when the contracts change', () => {
    const committed = existsSync(COMMITTED) ? readdirSync(COMMITTED).filter((f) => f.endsWith('.json')) : [];
    expect({ files: committed.sort(), fix: REGENERATE }).toEqual({
      files: sut.map((s) => s.fileName).sort(),
      fix: REGENERATE,
    });
    for (const { fileName, schema } of sut) {
      const onDisk = JSON.parse(readFileSync(join(COMMITTED, fileName), 'utf8')) as unknown;
      expect({ fileName, schema: onDisk, fix: REGENERATE }).toEqual({ fileName, schema, fix: REGENERATE });
    }
  });
});
