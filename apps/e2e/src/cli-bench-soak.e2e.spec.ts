import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { testInfra } from '@switchyard/testing';

// `npx switchyard bench soak` as a user runs it, cut short: a few seconds at a low rate. It must bring up its
// own services and NATS, find every answered request recorded once with its rating, and say so.
const root = findWorkspaceRoot(__dirname);
const run = promisify(execFile);

describe('switchyard bench soak (short run)', () => {
  it('records every answered request exactly once with its rating, and prints the counts', async () => {
    const { stdout } = await run(
      'node',
      [join(root, 'bin', 'switchyard.js'), 'bench', 'soak', '--minutes', '0.1', '--rate', '50', '--feedback', '0.5'],
      {
        cwd: root,
        env: { ...process.env, REDIS_URL: testInfra.redisUrl, MONGODB_URI: testInfra.mongoServer },
        maxBuffer: 10 * 1024 * 1024,
      },
    );
    const answered = Number(/requests answered\s+(\d+)/.exec(stdout)?.[1]);
    expect(answered).toBe(300);
    expect(stdout).toMatch(new RegExp(`records stored\\s+${answered} \\(0 missing, 0 duplicated\\)`));
    expect(stdout).toMatch(/ratings on their records\s+\d+ \(0 missing, 0 wrong\)/);
    expect(stdout).toContain('every answered request recorded exactly once, with its rating');
    console.log(stdout.slice(stdout.indexOf('== Soak result')));
  }, 180_000);
});
