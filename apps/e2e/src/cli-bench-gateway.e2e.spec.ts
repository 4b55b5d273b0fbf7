import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { testInfra } from '@switchyard/testing';

// `npx switchyard bench gateway` as a user runs it, cut short and without Portkey (no registry needed): it
// must start its upstream, its NATS and the six services, answer every request through the upstream, print
// every table and stop what it started.
const root = findWorkspaceRoot(__dirname);
const run = promisify(execFile);

describe('switchyard bench gateway (short run, no Portkey)', () => {
  let stdout = '';

  beforeAll(async () => {
    ({ stdout } = await run(
      'node',
      [
        join(root, 'bin', 'switchyard.js'),
        'bench',
        'gateway',
        '--skip-portkey',
        '--seconds',
        '1',
        '--warmup-seconds',
        '0.5',
        '--serial-requests',
        '100',
        '--connections',
        '4',
      ],
      {
        cwd: root,
        env: { ...process.env, REDIS_URL: testInfra.redisUrl, MONGODB_URI: testInfra.mongoServer },
        maxBuffer: 10 * 1024 * 1024,
      },
    ));
    // Usually 25-40 s. The bench bounds its own waits (30 s for a service to be ready, 60 s for the records
    // to be stored after a step), and beside another e2e file on two cores one run did not end within 90 s: this
    // bound catches a hang, not a slow machine.
  }, 240_000);

  /** The headline row of a target: label, serial p50, p90, p99, req/s at 4 connections, errors. */
  const row = (label: string) => {
    const line = stdout.split('\n').find((l) => l.startsWith(label));
    return line?.slice(label.length).trim().split(/\s+/);
  };

  it('measures the upstream and Switchyard in both modes with throughput and no errors', () => {
    for (const label of ['upstream called directly', 'Switchyard, six services', 'Switchyard co-located']) {
      const cells = row(label);
      expect(cells).toBeDefined();
      const [p50, , p99, rps, errors] = (cells as string[]).slice(-5);
      expect(Number(p50)).toBeGreaterThan(0);
      expect(Number(p99)).toBeGreaterThanOrEqual(Number(p50));
      expect(Number(rps)).toBeGreaterThan(0);
      expect(errors).toBe('0');
    }
  });

  it('says Portkey was not measured, and why; measures both Switchyard modes', () => {
    expect(stdout).toContain('not measured (--skip-portkey)');
    expect(stdout).toMatch(/Switchyard \(1 process\): answers name the model gpt-4o-mini \d+/);
    expect(stdout).toContain('== Targets (issue #13');
  });

  it('routed every Switchyard request with the seed policy to the upstream', () => {
    expect(stdout).toMatch(/Switchyard \(6 processes\): answers name the model gpt-4o-mini \d+/);
  });

  it('prints the added latency and CPU per request per process, then stops what it started', () => {
    expect(stdout).toContain('== Added by each gateway');
    expect(stdout).toMatch(/Switchyard \(6 processes\)\s+ingress\s+\d/);
    expect(stdout).toMatch(/Switchyard \(6 processes\)\s+provider-adapters\s+\d/);
    expect(stdout).toContain('Stopping the services, the gateways, the upstream and the private NATS');
    expect(stdout).not.toContain('Unclean exits');
  });
});
