import { type DecisionSample, decisionReport, summarizeDecision } from './bench-decision.command';

function sample(overrides: Partial<DecisionSample> = {}): DecisionSample {
  return {
    settings: { dataset: 'd.jsonl', prompts: 100, modelFile: null, warmupPrompts: 100 },
    models: 9,
    routerVersion: 'bench',
    prompts: ['ab', 'abcd'],
    // 100 decisions of 0.01..1.00 ms, out of order.
    timesMs: Array.from({ length: 100 }, (_, i) => (100 - i) / 100),
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
  });
});
