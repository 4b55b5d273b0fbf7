import { type DecisionSample, decisionReport, summarizeDecision } from './bench-decision.command';

function sample(overrides: Partial<DecisionSample> = {}): DecisionSample {
  return {
    settings: { dataset: 'd.jsonl', prompts: 100, modelFile: null, warmupPrompts: 100 },
    models: 9,
    routerVersion: 'bench',
    prompts: ['ab', 'abcd'],
    // 100 decisions of 0.01..1.00 ms, out of order.
    timesMs: Array.from({ length: 100 }, (_, i) => (100 - i) / 100),
    // Each piece a tenth, a half and a fifth of that.
    pieceTimesMs: {
      features: Array.from({ length: 100 }, (_, i) => (100 - i) / 1000),
      learned: Array.from({ length: 100 }, (_, i) => (100 - i) / 200),
      planning: Array.from({ length: 100 }, (_, i) => (100 - i) / 500),
    },
    optionsPlanned: 900,
    ...overrides,
  };
}

describe(summarizeDecision.name, () => {
  it('gives the percentiles of the timed decisions in ms, the mean prompt length and the settings', () => {
    const sut = summarizeDecision(sample());
    expect(sut).toEqual({
      settings: { dataset: 'd.jsonl', prompts: 100, modelFile: null, warmupPrompts: 100 },
      models: 9,
      routerVersion: 'bench',
      meanPromptChars: 3,
      latency: { p50Ms: 0.5, p90Ms: 0.9, p99Ms: 0.99, maxMs: 1 },
      optionsPlanned: 900,
      pieces: {
        features: { p50Ms: 0.05, p99Ms: 0.099 },
        learned: { p50Ms: 0.25, p99Ms: 0.495 },
        planning: { p50Ms: 0.1, p99Ms: 0.198 },
      },
    });
  });

  it('takes the one time there is as every percentile', () => {
    expect(summarizeDecision(sample({ timesMs: [0.25] })).latency).toEqual({
      p50Ms: 0.25,
      p90Ms: 0.25,
      p99Ms: 0.25,
      maxMs: 0.25,
    });
  });
});

describe(decisionReport.name, () => {
  it('prints the numbers of the result', () => {
    const sut = decisionReport(summarizeDecision(sample()));
    expect(sut[0]).toBe(
      'decision latency over 100 prompts of d.jsonl (mean 3 chars; 9 models; rules + difficulty + learned bench):',
    );
    expect(sut[1]).toBe('  p50 0.500 ms   p90 0.900 ms   p99 0.990 ms   max 1.000 ms   (900 options planned)');
    expect(sut[2]).toBe(
      '  pieces, each timed alone: features p50 0.050 p99 0.099; learned prediction p50 0.250 p99 0.495; planning without it p50 0.100 p99 0.198 (ms)',
    );
  });
});
