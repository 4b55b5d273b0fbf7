import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_BY_SUBJECT, SUBJECTS } from './index';

// Every fixture under fixtures/<subject>/{ok,not-ok}/ goes through its subject's schema.
const root = join(__dirname, '..', 'fixtures');

function fixtures(subject: string, kind: 'ok' | 'not-ok'): Array<[string, unknown]> {
  const dir = join(root, subject, kind);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown]);
}

describe('contract fixtures', () => {
  it('has ok and not-ok fixtures for every subject', () => {
    for (const subject of Object.values(SUBJECTS)) {
      expect({ subject, ok: fixtures(subject, 'ok').length > 0 }).toEqual({ subject, ok: true });
      expect({ subject, notOk: fixtures(subject, 'not-ok').length > 0 }).toEqual({ subject, notOk: true });
    }
  });

  for (const subject of Object.values(SUBJECTS)) {
    describe(subject, () => {
      const schema = SCHEMA_BY_SUBJECT[subject];
      it.each(fixtures(subject, 'ok'))('accepts ok/%s', (_name, value) => {
        const result = schema.safeParse(value);
        expect(result.error?.issues ?? []).toEqual([]);
      });
      it.each(fixtures(subject, 'not-ok'))('rejects not-ok/%s', (_name, value) => {
        expect(schema.safeParse(value).success).toBe(false);
      });
    });
  }
});
