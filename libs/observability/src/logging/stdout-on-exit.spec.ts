import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { createLogger } from './service-logger';

const LINES = 4000;

const SRC = join(__dirname, '..');

/**
 * The logger as a service runs it, in a process of its own writing to a pipe: this library's sources
 * compiled to CommonJS, their packages found in the workspace's node_modules.
 */
function runChild(dir: string, end: string): Promise<{ code: number | null; stdout: string }> {
  const script = `
    const { createLogger } = require('./logging/service-logger.js');
    const logger = createLogger('rule-optimizer', 'info');
    for (let i = 0; i < ${LINES}; i++) logger.log('line ' + i + ' ' + 'x'.repeat(200), 'Test');
    ${end}
  `;
  writeFileSync(join(dir, 'child.js'), script);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(dir, 'child.js')],
      { env: { ...process.env, NODE_PATH: join(__dirname, '../../../../node_modules') }, maxBuffer: 64 << 20 },
      (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout }),
    );
  });
}

describe(`${createLogger.name} writing to standard output`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-logging-'));
    const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'),
    );
    for (const file of sources) {
      const out = ts.transpileModule(readFileSync(join(SRC, file), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      const target = join(dir, file.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, out.outputText);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['process.exit right after (a drained service stopping)', 'process.exit(0)', 0],
    ['an error thrown at start-up', 'setImmediate(() => { throw new Error("start-up failed"); })', 1],
    ['the event loop running out', '', 0],
  ])('loses no line on %s', async (_what, end, code) => {
    const child = await runChild(dir, end);
    expect(child.code).toBe(code);
    const lines = child.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(LINES);
    expect(JSON.parse(lines[LINES - 1])).toMatchObject({
      service: 'rule-optimizer',
      msg: expect.stringMatching(/^line 3999 /),
    });
  });
});
