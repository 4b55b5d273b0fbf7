import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { testInfra } from '@switchyard/testing';

// `npx switchyard bench overhead` as a user runs it, cut short: one low rate, no saturation search. It must
// bring up its own services, echo and NATS, lose nothing at that rate, print every table and clean up.
const root = findWorkspaceRoot(__dirname);
const run = promisify(execFile);

describe('switchyard bench overhead (short run)', () => {
  let stdout = '';

  beforeAll(async () => {
    ({ stdout } = await run(
      'node',
      [
        join(root, 'bin', 'switchyard.js'),
        'bench',
        'overhead',
        '--rates',
        '50',
        '--seconds',
        '1',
        '--step-seconds',
        '0',
      ],
      {
        cwd: root,
        env: { ...process.env, REDIS_URL: testInfra.redisUrl, MONGODB_URI: testInfra.mongoServer },
        maxBuffer: 10 * 1024 * 1024,
      },
    ));
  }, 180_000);

  it('offers the rate to the echo and to the pipeline and loses nothing', () => {
    const rows = stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((cells) => cells[0] === '50' && (cells[1] === 'echo' || cells[1] === 'pipeline'));
    // offered/s, target, sent, lost, ...: both targets sent 50 requests in the second and lost none.
    expect(rows.map((cells) => cells.slice(0, 4))).toEqual([
      ['50', 'echo', '50', '0'],
      ['50', 'pipeline', '50', '0'],
    ]);
  });

  it('prints the added latency, CPU per request per process and the targets, then stops what it started', () => {
    expect(stdout).toContain('== Added latency');
    expect(stdout).toMatch(/ingress\s+\d/);
    expect(stdout).toMatch(/feedback-aggregator\s+\d/);
    expect(stdout).toContain('p50 < 1.5 ms at 500/s offered');
    expect(stdout).toContain('Stopping the services, the echo and the private NATS');
    expect(stdout).not.toContain('Unclean exits');
  });
});
