import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findWorkspaceRoot } from '@switchyard/launcher';

// `npx switchyard simulate` as a user runs it (the built CLI) on the committed MMLU-Pro slice: two short
// days through the six services it starts, the nightly jobs after each, every day's policy on the test part.
const root = findWorkspaceRoot(__dirname);
const cli = join(root, 'bin', 'switchyard.js');
const run = promisify(execFile);

interface Day {
  day: number;
  requests: number;
  answered: number;
  quality: number;
  costUsdPerRequest: number;
  testQuality: number;
  testCostUsdPerRequest: number;
  modelVersion: string;
  explorationShare: number;
  gate: { outcome: string; reason: string };
  canary: { verdict: string; reason: string };
}

describe('switchyard simulate', () => {
  it('drives days of replayed traffic through the services and writes each day with its nightly decisions', async () => {
    const out = mkdtempSync(join(tmpdir(), 'simulate-'));
    const { stdout } = await run(
      'node',
      [
        cli,
        'simulate',
        '--days',
        '2',
        '--requests-per-day',
        '400',
        '--exploration',
        '10',
        '--no-reference',
        '--out',
        out,
      ],
      { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 280_000 },
    );
    expect(stdout).toContain('day 2:');
    const body = JSON.parse(readFileSync(join(out, 'simulate.json'), 'utf8')) as { days: Day[]; singles: unknown[] };
    expect(body.days).toHaveLength(2);
    expect(body.singles).toHaveLength(9);
    for (const day of body.days) {
      expect(day).toMatchObject({ requests: 400, answered: 400, modelVersion: 'none' });
      expect(day.quality).toBeGreaterThan(0.2);
      expect(day.costUsdPerRequest).toBeGreaterThan(0);
      // The cold policy's difficulty bands, replayed offline on the 900 test questions.
      expect(day.testQuality).toBeGreaterThan(0.2);
      expect(day.explorationShare).toBeGreaterThan(0.03);
      expect(['skipped', 'refused', 'released']).toContain(day.gate.outcome);
      expect(day.gate.reason).not.toBe('');
      expect(['none', 'wait', 'promote', 'rollback']).toContain(day.canary.verdict);
    }
    // 400 requests, half of them labelled: fewer than the 200 the policy asks to train on after day 1's holdout.
    expect(body.days[0].gate).toMatchObject({ outcome: 'skipped' });
    expect(existsSync(join(out, 'simulate.html'))).toBe(true);
    expect(readFileSync(join(out, 'simulate.html'), 'utf8')).toContain('<svg');
  }, 300_000);
});
