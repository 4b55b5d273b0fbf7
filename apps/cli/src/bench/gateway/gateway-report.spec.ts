import {
  type StepResult,
  type TargetResult,
  addedLatencyTable,
  cpuTable,
  footnotes,
  loadLatencyTable,
  reportedLatencyTable,
  resultsTable,
  targetLines,
  tracingCostLines,
} from './gateway-report';
import type { LoadSummary } from './gateway-stats';

function step(step: StepResult['step'], p50Ms: number, p99Ms: number, rps: number, errors = 0): StepResult {
  const summary: LoadSummary = {
    connections: step === 'serial' ? 1 : step,
    completed: 100 + errors,
    ok: 100,
    errors,
    rps,
    p50Ms,
    p90Ms: p99Ms,
    p99Ms,
    maxMs: p99Ms,
    meanMs: p50Ms,
  };
  return {
    step,
    summary,
    cpuMsPerRequest: { 'load generator (this)': 0.05, upstream: 0.1 },
    models: { m: 100 },
    errorSamples: [],
  };
}

const upstream: TargetResult = {
  id: 'upstream',
  label: 'upstream called directly',
  name: 'upstream',
  role: 'upstream',
  steps: [step('serial', 0.2, 0.4, 5000), step(16, 1, 2, 20000)],
};
const portkey: TargetResult = {
  id: 'portkey',
  label: 'Portkey gateway',
  name: 'Portkey',
  role: 'gateway',
  reference: true,
  steps: [step('serial', 1.2, 2.4, 800), step(16, 10, 20, 1000)],
};
const switchyard: TargetResult = {
  id: 'switchyard',
  label: 'Switchyard six',
  name: 'Switchyard',
  role: 'gateway',
  steps: [step('serial', 3.2, 6.4, 300, 2), step(16, 20, 40, 500)],
};
const colocated: TargetResult = {
  id: 'colocated',
  label: 'Switchyard one',
  name: 'one',
  role: 'gateway',
  skipped: 'not there yet',
  steps: [],
};
const cells = (text: string) => text.split('\n').map((l) => l.split(/\s{2,}/).filter(Boolean));

describe(resultsTable.name, () => {
  it('has a row per target, serial percentiles, throughput per connections and errors; a target not measured is dashes', () => {
    const sut = cells(resultsTable([upstream, portkey, switchyard, colocated], [16]));
    expect(sut[0]).toEqual([
      'target',
      'serial p50 ms',
      'serial p90 ms',
      'serial p99 ms',
      'req/s at 16 conns',
      'errors',
    ]);
    expect(sut.slice(2)).toEqual([
      ['upstream called directly', '0.20', '0.40', '0.40', '20000', '0'],
      ['Portkey gateway', '1.20', '2.40', '2.40', '1000', '0'],
      ['Switchyard six', '3.20', '6.40', '6.40', '500', '2'],
      ['Switchyard one', '-', '-', '-', '-', '-'],
    ]);
  });
});

describe(addedLatencyTable.name, () => {
  it("gives each measured gateway's latency over the upstream and its ratios to the reference", () => {
    const sut = cells(addedLatencyTable([upstream, portkey, switchyard, colocated], [16]));
    expect(sut[0]).toEqual([
      'gateway',
      'added p50 ms',
      'added p99 ms',
      'added p50 vs Portkey',
      'added p99 vs Portkey',
      'req/s vs Portkey at 16',
    ]);
    expect(sut.slice(2)).toEqual([
      ['Portkey', '1.00', '2.00', '1.0x', '1.0x', '1.0x'],
      ['Switchyard', '3.00', '6.00', '3.0x', '3.0x', '0.50x'],
    ]);
  });

  it('has no ratios when the reference was not measured', () => {
    const sut = cells(
      addedLatencyTable([upstream, { ...portkey, skipped: 'no registry', steps: [] }, switchyard], [16]),
    );
    expect(sut.slice(2)).toEqual([['Switchyard', '3.00', '6.00', '-', '-', '-']]);
  });
});

describe(loadLatencyTable.name, () => {
  it('leaves out targets that were not measured', () => {
    const sut = cells(loadLatencyTable([upstream, colocated], [16]));
    expect(sut.slice(2)).toEqual([['upstream', '1.00', '2.00']]);
  });
});

describe(reportedLatencyTable.name, () => {
  it('has a row per step of a target whose answers said where the time went, and nothing when none did', () => {
    expect(reportedLatencyTable([upstream, portkey])).toBeUndefined();
    const serial = step('serial', 3.2, 6.4, 300);
    serial.summary.reported = { totalMs: 2.5, routingMs: 1, providerMs: 0.5 };
    const sut = cells(reportedLatencyTable([upstream, { ...switchyard, steps: [serial] }]) as string);
    expect(sut.slice(2)).toEqual([['Switchyard', 'serial', '3.20', '2.50', '1.00', '0.50']]);
  });
});

describe(cpuTable.name, () => {
  it("lists each process of each measured target and the target's total, a column per step", () => {
    const sut = cells(cpuTable([upstream, colocated], ['serial', 16]));
    expect(sut[0]).toEqual(['target', 'process', 'serial', '16 conns']);
    expect(sut.slice(2)).toEqual([
      ['upstream', 'load generator (this)', '0.050', '0.050'],
      ['upstream', 'upstream', '0.100', '0.100'],
      ['upstream', 'total', '0.150', '0.150'],
    ]);
  });
});

describe(footnotes.name, () => {
  it('says why a target was not measured and which model answered the others', () => {
    const sut = footnotes([upstream, colocated]);
    expect(sut).toEqual(['upstream: answers name the model m 200', 'Switchyard one: not measured (not there yet)']);
  });
});

describe(targetLines.name, () => {
  it("checks both modes against the issue's bounds, each line with what was measured", () => {
    const at64 = (t: TargetResult, rps: number): TargetResult => ({ ...t, steps: [...t.steps, step(64, 1, 2, rps)] });
    const one: TargetResult = {
      ...colocated,
      id: 'switchyard-colocated',
      skipped: undefined,
      steps: [step('serial', 1.0, 2, 900)],
    };
    const lines = targetLines([upstream, at64(portkey, 1000), at64(switchyard, 700), at64(one, 1600)]);
    expect(lines).toEqual([
      // co-located adds 0.8 ms, Portkey 1.0 ms; 1.6x its throughput
      expect.stringMatching(/^ {2}met {2}co-located: serial added p50 <= Portkey's 1\.00 ms: 0\.80 ms$/),
      expect.stringMatching(/^ {2}met {2}co-located: req\/s at 64 connections >= 1\.5x Portkey's: 1\.6x$/),
      // six processes add 3.0 ms (over 2.5) at 0.7x Portkey's throughput
      expect.stringMatching(/^ {2}NOT met {2}six processes: serial added p50 <= 2\.5 ms: 3\.00 ms$/),
      expect.stringMatching(/^ {2}NOT met {2}six processes: req\/s at 64 connections >= 0\.8x Portkey's: 0\.70x$/),
    ]);
    expect(
      targetLines([upstream, portkey, switchyard, colocated]).filter((l) => l.includes('not measured')),
    ).toHaveLength(3);
  });
});

describe(tracingCostLines.name, () => {
  const withCpu = (s: StepResult, cpu: Record<string, number>): StepResult => ({
    ...s,
    cpuMsPerRequest: { ...s.cpuMsPerRequest, ...cpu },
  });
  const off: TargetResult = {
    ...switchyard,
    steps: [
      withCpu(step('serial', 3.2, 6.4, 300), { ingress: 1, analyzer: 0.5 }),
      withCpu(step(16, 20, 40, 500), { ingress: 1, analyzer: 1 }),
    ],
  };
  const on: TargetResult = {
    ...switchyard,
    id: 'switchyard-traced',
    name: 'Switchyard (6, traced)',
    steps: [
      withCpu(step('serial', 3.7, 7, 280), { ingress: 1.5, analyzer: 0.5 }),
      withCpu(step(16, 22, 44, 400), { ingress: 1.5, analyzer: 1.5 }),
    ],
  };

  it("compares the traced six processes with the untraced ones step by step, CPU over the services' processes only", () => {
    const text = tracingCostLines([upstream, off, on], ['serial', 16], ['ingress', 'analyzer']).join('\n');
    // Serial: added over the upstream's 0.2 ms; the upstream's and load generator's CPU left out.
    expect(text).toMatch(/serial .*added p50 3\.00 -> 3\.50 ms .*1\.50 -> 2\.00 ms \(1\.3x\)/);
    expect(text).toMatch(/16 conns .*req\/s 500 -> 400 \(0\.80x\) .*2\.00 -> 3\.00 ms \(1\.5x\)/);
  });

  it('says nothing without both rows', () => {
    expect(tracingCostLines([upstream, off], ['serial'], ['ingress'])).toEqual([]);
  });
});
