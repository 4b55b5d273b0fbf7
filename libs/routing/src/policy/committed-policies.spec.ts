import { readFileSync, readdirSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { compilePolicy } from './compile-policy';
import { policySchema } from './policy.schema';

// Every policy the repository ships or shows (policies/, deploy/, examples/, fixtures, docs), found by
// content wherever it lies, compiles: a key misspelt in one of them fails here, not in a user's hands.

const ROOT = join(__dirname, '../../../..');
// Installed packages, build and run output, trained models, local state: not the project's own files.
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'out', 'tmp', 'coverage', 'models']);
// The keys only a policy has (a compose file has `version` too).
const POLICY_KEYS = Object.keys(policySchema.shape).filter((k) => k !== 'version');

function* repositoryFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* repositoryFiles(path);
    else yield path;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPolicy = (v: unknown): v is Record<string, unknown> => isObject(v) && 'version' in v && 'models' in v;
const isFragment = (v: unknown): v is Record<string, unknown> =>
  isObject(v) && Object.keys(v).some((k) => POLICY_KEYS.includes(k));

/** The YAML or JSON documents of a file, or of a Markdown file's ```yaml and ```json blocks. */
function documentsOf(path: string): unknown[] {
  const text = readFileSync(path, 'utf8');
  const parsed = (source: string, json: boolean): unknown[] => {
    try {
      if (json) return [JSON.parse(source)];
      return parseAllDocuments(source).flatMap((d) => ('errors' in d && d.errors.length === 0 ? [d.toJS()] : []));
    } catch {
      return [];
    }
  };
  switch (extname(path)) {
    case '.json':
      return parsed(text, true);
    case '.yaml':
    case '.yml':
      return parsed(text, false);
    case '.md':
      // A JSON block there is a payload (which may have a `difficulty`), unless it is a whole policy.
      return [...text.matchAll(/^```(ya?ml|json)\n([\s\S]*?)^```/gm)].flatMap(([, lang, block]) =>
        lang === 'json' ? parsed(block, true).filter(isPolicy) : parsed(block, false),
      );
    default:
      return [];
  }
}

const defaultPolicy = parseYaml(readFileSync(join(ROOT, 'policies/default.yaml'), 'utf8')) as Record<string, unknown>;

// Whole policies as they are; a Markdown block showing some sections of one, on top of the default policy.
const committed: Array<[string, Record<string, unknown>]> = [];
for (const path of repositoryFiles(ROOT)) {
  const where = relative(ROOT, path);
  documentsOf(path).forEach((doc, i) => {
    const name = `${where}${i > 0 ? ` #${i + 1}` : ''}`;
    if (isPolicy(doc)) committed.push([name, doc]);
    else if (extname(path) === '.md' && isFragment(doc)) committed.push([name, { ...defaultPolicy, ...doc }]);
  });
}

describe('committed policies', () => {
  it('are found, the policies/ ones and the sections the docs show included', () => {
    expect(committed.map(([name]) => name)).toEqual(
      expect.arrayContaining(['policies/default.yaml', 'policies/mmlu-pro-agreement.yaml', 'docs/learning.md']),
    );
  });

  it.each(committed)('%s compiles', (_name, document) => {
    expect(() => compilePolicy(document)).not.toThrow();
  });
});
