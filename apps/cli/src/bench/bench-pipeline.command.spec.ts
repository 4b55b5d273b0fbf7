import { pipelineReport, summarizePipeline } from './bench-pipeline.command';

const settings = { requests: 4, warmupRequests: 4, subject: 'router.request.v1' };

describe(summarizePipeline.name, () => {
  it('gives each target its percentiles in ms and the ratio of their medians', () => {
    const sut = summarizePipeline(settings, [4, 1, 3, 2], [0.5, 0.25, 1, 0.75]);
    expect(sut).toEqual({
      settings,
      pipeline: { p50Ms: 2, p99Ms: 4 },
      echo: { p50Ms: 0.5, p99Ms: 1 },
      pipelineToEchoP50Ratio: 4,
    });
  });
});

describe(pipelineReport.name, () => {
  it('prints the numbers of the result', () => {
    const sut = pipelineReport(summarizePipeline(settings, [4, 1, 3, 2], [0.5, 0.25, 1, 0.75]));
    expect(sut).toEqual([
      '4 serial requests after 4 warm-up, same process, same run:',
      '  pipeline (router.request.v1): p50 2.000 ms  p99 4.000 ms',
      '  NATS echo:                       p50 0.500 ms  p99 1.000 ms',
      '  pipeline p50 / echo p50: 4.0x',
    ]);
  });
});
