import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PORT_ATTEMPTS, SERVICE_NAMES, ServiceStack } from './service-stack';

/**
 * A workspace whose six "built services" are tiny HTTP servers on HTTP_PORT, each run noting its port in
 * `tries` beside it. `analyzer` can fail as told by ANALYZER_FAILS: `taken-once` (its first run finds its
 * port taken, as when another process bound it first), `taken` (every run), `crash` (another error).
 */
function fakeWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'stack-'));
  for (const name of SERVICE_NAMES) {
    const dir = join(root, 'dist', 'apps', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'main.js'),
      `const { appendFileSync, readFileSync } = require('node:fs');
const tries = require('node:path').join(__dirname, 'tries');
const port = process.env.HTTP_PORT;
appendFileSync(tries, port + '\\n');
const runs = readFileSync(tries, 'utf8').trim().split('\\n').length;
const fails = ${JSON.stringify(name)} === 'analyzer' ? process.env.ANALYZER_FAILS : undefined;
if (fails === 'crash') { console.error('Error: no config'); process.exit(1); }
if (fails === 'taken' || (fails === 'taken-once' && runs === 1)) {
  console.error('Error: listen EADDRINUSE: address already in use 127.0.0.1:' + port);
  process.exit(1);
}
require('node:http').createServer((_q, r) => r.end('ok')).listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`,
    );
  }
  return root;
}

const triesOf = (root: string, name: string) =>
  readFileSync(join(root, 'dist', 'apps', name, 'tries'), 'utf8')
    .trim()
    .split('\n')
    .map(Number);

describe(ServiceStack.name, () => {
  jest.setTimeout(60_000);

  it('starts a service again on another free port when its port was taken before it bound it', async () => {
    const root = fakeWorkspace();
    const stack = new ServiceStack({ env: { ANALYZER_FAILS: 'taken-once' }, ports: 'free', root });
    const ready: string[] = [];
    try {
      await stack.start((name, url) => ready.push(`${name} ${url}`));
      const [first, second] = triesOf(root, 'analyzer');
      expect(second).not.toBe(first);
      expect(stack.get('analyzer').port).toBe(second);
      expect(ready).toContain(`analyzer http://127.0.0.1:${second}`);
      expect(await (await fetch(`${stack.get('analyzer').baseUrl}/readyz`)).text()).toBe('ok');
      expect(triesOf(root, 'ingress')).toHaveLength(1);
    } finally {
      await stack.stop();
    }
  });

  it(`gives up after ${PORT_ATTEMPTS} tries, and never retries another failure`, async () => {
    for (const [fails, tries] of [
      ['taken', PORT_ATTEMPTS],
      ['crash', 1],
    ] as const) {
      const root = fakeWorkspace();
      const stack = new ServiceStack({ env: { ANALYZER_FAILS: fails }, ports: 'free', root });
      try {
        await expect(stack.start()).rejects.toThrow('analyzer exited with 1 before it was ready');
        expect(triesOf(root, 'analyzer')).toHaveLength(tries);
      } finally {
        await stack.stop();
      }
    }
  });
});
