import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { testInfra } from '@switchyard/testing';

// `npx switchyard bench overhead --json` as a user runs it, cut short: one low rate, no saturation search. It
// must bring up its own services, echo and NATS, lose nothing at that rate, print every table (on stderr, with
// --json) and its numbers (on stdout), and clean up.
const root = findWorkspaceRoot(__dirname);
const run = promisify(execFile);

describe('switchyard bench overhead (short run)', () => {
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    ({ stdout, stderr } = await run(
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
        '--json',
      ],
      {
        cwd: root,
        env: { ...process.env, REDIS_URL: testInfra.redisUrl, MONGODB_URI: testInfra.mongoServer },
        maxBuffer: 10 * 1024 * 1024,
      },
    ));
  }, 180_000);

  it('offers the rate to the echo and to the pipeline and loses nothing', () => {
    const rows = stderr
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((cells) => cells[0] === '50' && (cells[1] === 'echo' || cells[1] === 'pipeline'));
    // offered/s, target, sent, lost, ...: both targets sent 50 requests in the second and lost none.
    expect(rows.map((cells) => cells.slice(0, 4))).toEqual([
      ['50', 'echo', '50', '0'],
      ['50', 'pipeline', '50', '0'],
    ]);
  });

  it('prints the same numbers as one JSON document on stdout', () => {
    const printed = JSON.parse(stdout) as {
      result: { steps: Array<{ p50Ms: number; cpuMsPerRequest: Record<string, number> }> };
    };
    expect(printed).toMatchObject({
      command: 'bench overhead',
      ok: true,
      exitCode: 0,
      result: {
        settings: { ratesRps: [50], secondsPerRate: 1, stepSeconds: 0 },
        steps: [
          { target: 'echo', phase: 'fixed', offeredRps: 50, sent: 50, ok: 50, lost: 0, failed: 0 },
          { target: 'pipeline', phase: 'fixed', offeredRps: 50, sent: 50, ok: 50, lost: 0, failed: 0 },
        ],
        addedLatency: [{ offeredRps: 50 }],
        saturation: { echo: { searched: false }, pipeline: { searched: false } },
        targets: { atRps: 500, p50: { measuredMs: null, met: false } },
      },
    });
    for (const step of printed.result.steps) {
      expect(step.p50Ms).toBeGreaterThan(0);
      expect(step.cpuMsPerRequest).toHaveProperty('ingress');
    }
  });

  it('prints the added latency, CPU per request per process and the targets, then stops what it started', () => {
    expect(stderr).toContain('== Added latency');
    expect(stderr).toMatch(/ingress\s+\d/);
    expect(stderr).toMatch(/feedback-aggregator\s+\d/);
    expect(stderr).toContain('p50 < 1.5 ms at 500/s offered');
    expect(stderr).toContain('Stopping the services, the echo and the private NATS');
    expect(stderr).not.toContain('Unclean exits');
  });
});
