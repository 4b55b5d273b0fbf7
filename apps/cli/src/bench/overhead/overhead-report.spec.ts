import {
  type MeasuredStep,
  addedLatencyTable,
  cpuTable,
  fixedRateTable,
  ms,
  overheadResult,
  saturationTable,
} from './overhead-report';
import { type StepSummary, evaluateTargets } from './overhead-stats';

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

describe(overheadResult.name, () => {
  const settings = {
    ratesRps: [500],
    secondsPerRate: 5,
    stepSeconds: 0,
    timeoutMs: 2000,
    maxP99Ms: 100,
    minAchievedShare: 0.95,
    privateNats: true,
  };
  const saturation = {
    echo: { target: 'echo' as const, maxRps: 500, firstFailRps: undefined, failReason: undefined, searched: false },
    pipeline: {
      target: 'pipeline' as const,
      maxRps: undefined,
      firstFailRps: 500,
      failReason: '2 lost',
      searched: false,
    },
  };
  const targets = evaluateTargets(undefined, undefined, 500);

  it('gives every step the numbers of its table row, its CPU per process and their total', () => {
    const sut = overheadResult(settings, [step('echo', 500, 0.5, 2), step('pipeline', 500, 2, 8)], saturation, targets);
    expect(sut.steps[1]).toEqual({
      target: 'pipeline',
      phase: 'fixed',
      offeredRps: 500,
      sent: 2500,
      ok: 2500,
      failed: 0,
      lost: 0,
      achievedRps: 500,
      p50Ms: 2,
      p95Ms: 8,
      p99Ms: 8,
      maxMs: 8,
      sustained: true,
      unsustainedReason: null,
      cpuMsPerRequest: { ingress: 0.25 },
      cpuMsPerRequestTotal: 0.25,
    });
    expect(sut.addedLatency).toEqual([
      {
        offeredRps: 500,
        p50Ms: 2,
        echoP50Ms: 0.5,
        addedP50Ms: 1.5,
        p50Ratio: 4,
        p99Ms: 8,
        echoP99Ms: 2,
        addedP99Ms: 6,
        p99Ratio: 4,
      },
    ]);
    expect(sut.settings).toBe(settings);
    expect(sut.targets).toBe(targets);
  });

  it('says null, never NaN, for what was not measured, and why a rate was not sustained', () => {
    const lost: MeasuredStep = {
      ...step('pipeline', 500, NaN, NaN),
      summary: { ...step('pipeline', 500, NaN, NaN).summary, ok: 0, lost: 2500, maxMs: NaN },
      unsustained: '2500 lost',
    };
    const sut = overheadResult(settings, [step('echo', 500, 0.5, 2), lost], saturation, targets);
    expect(sut.steps[1]).toMatchObject({
      p50Ms: null,
      p99Ms: null,
      maxMs: null,
      sustained: false,
      unsustainedReason: '2500 lost',
    });
    expect(sut.addedLatency[0]).toMatchObject({ p50Ms: null, addedP50Ms: null, p50Ratio: null, echoP50Ms: 0.5 });
    expect(sut.saturation).toEqual({
      echo: { maxSustainedRps: 500, lowestUnsustainedRps: null, unsustainedReason: null, searched: false },
      pipeline: { maxSustainedRps: null, lowestUnsustainedRps: 500, unsustainedReason: '2 lost', searched: false },
      pipelineToEchoShare: null,
    });
  });
});
