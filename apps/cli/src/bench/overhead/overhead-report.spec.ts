import { type MeasuredStep, addedLatencyTable, cpuTable, fixedRateTable, ms, saturationTable } from './overhead-report';
import type { StepSummary } from './overhead-stats';

function step(target: MeasuredStep['target'], offeredRps: number, p50Ms: number, p99Ms: number): MeasuredStep {
  const summary: StepSummary = {
    offeredRps,
    sent: offeredRps * 5,
    ok: offeredRps * 5,
    failed: 0,
    lost: 0,
    achievedRps: offeredRps,
    p50Ms,
    p95Ms: p99Ms,
    p99Ms,
    maxMs: p99Ms,
  };
  return { target, phase: 'fixed', summary, cpuMsPerRequest: new Map([['ingress', target === 'echo' ? 0 : 0.25]]) };
}

describe(ms.name, () => {
  it('keeps three significant figures and shows what was not measured as a dash', () => {
    expect([ms(0.4567), ms(12.34), ms(456.7), ms(NaN)]).toEqual(['0.46', '12.3', '457', '-']);
  });
});

describe(addedLatencyTable.name, () => {
  it('sets each pipeline rate against the echo at the same rate', () => {
    const sut = addedLatencyTable([
      step('echo', 500, 0.5, 2),
      step('pipeline', 500, 2, 8),
      step('pipeline', 900, 3, 9),
    ]);
    const lines = sut.split('\n');
    expect(lines).toHaveLength(3); // header, rule, one row: 900/s has no echo to compare with
    expect(lines[2].split(/\s+/).filter(Boolean)).toEqual([
      '500',
      '2.00',
      '0.50',
      '1.50',
      '4.0x',
      '8.00',
      '2.00',
      '6.00',
      '4.0x',
    ]);
  });
});

describe(fixedRateTable.name, () => {
  it('lists only the fixed-rate steps', () => {
    const saturation = { ...step('echo', 4000, 1, 2), phase: 'saturation' as const };
    expect(fixedRateTable([step('echo', 100, 1, 2), saturation]).split('\n')).toHaveLength(3);
  });
});

describe(cpuTable.name, () => {
  it('has a column per fixed step, a row per process and the total', () => {
    const sut = cpuTable([step('echo', 100, 1, 2), step('pipeline', 100, 2, 4)], ['ingress', 'analyzer']);
    expect(sut.split('\n').map((l) => l.split(/\s{2,}/).filter(Boolean))).toEqual([
      ['process', 'echo 100/s', 'pipeline 100/s'],
      expect.any(Array),
      ['ingress', '0.000', '0.250'],
      ['analyzer', '-', '-'],
      ['total', '0.000', '0.250'],
    ]);
  });
});

describe(saturationTable.name, () => {
  it('gives the pipeline share of the echo throughput', () => {
    const sut = saturationTable(
      { target: 'echo', maxRps: 10_000, firstFailRps: 12_000, failReason: '3 lost', searched: true },
      { target: 'pipeline', maxRps: 1500, firstFailRps: 1700, failReason: 'p99 120 ms > 100 ms', searched: true },
    );
    expect(sut).toMatch(/pipeline \/ echo: 15\.0%$/);
    expect(sut).toMatch(/1700\/s: p99 120 ms/);
  });
  it('says when a target never failed', () => {
    const sut = saturationTable(
      { target: 'echo', maxRps: 1000, firstFailRps: undefined, failReason: undefined, searched: false },
      { target: 'pipeline', maxRps: undefined, firstFailRps: 100, failReason: '1 lost', searched: false },
    );
    expect(sut).toMatch(/no search: fixed rates only/);
    expect(sut).toMatch(/pipeline \/ echo: -$/);
  });
});
