import { retrainReport, summarizeRetrain } from './bench-retrain.command';

const settings = { dataset: 'd.jsonl.gz', records: 50_000, dims: 1 << 18, explorationPercent: 5 };
// performance.now() at each step's start and end, in ms.
const marks = { writeStarted: 1000, written: 31_000, started: 31_500, read: 33_500, trained: 45_500 };

describe(summarizeRetrain.name, () => {
  it("times each of the job's steps in ms, and says what the gate decided and what was stored", () => {
    const router = { bytes: 14_500_000, compressedBytes: 2_700_000, chunks: 1 };
    const gate = { outcome: 'passed' as const, reason: 'the candidate is better' };
    const sut = summarizeRetrain(settings, { ...marks, saved: 46_100 }, 34_000, gate, router);
    expect(sut).toEqual({
      settings,
      storeRecordsMs: 30_000,
      labelledRecordsRead: 34_000,
      steps: { readMs: 2000, trainAndCompareMs: 12_000, storeRouterMs: 600, totalMs: 14_600 },
      gate,
      router,
    });
  });

  it('has no store step and no router when the gate skipped', () => {
    const gate = { outcome: 'skipped' as const, reason: 'too few labels' };
    const sut = summarizeRetrain(settings, marks, 10, gate, null);
    expect(sut.steps).toEqual({ readMs: 2000, trainAndCompareMs: 12_000, storeRouterMs: null, totalMs: 14_000 });
    expect(sut.router).toBeNull();
  });
});

describe(retrainReport.name, () => {
  it('prints the numbers of the result in seconds and MB', () => {
    const router = { bytes: 14_500_000, compressedBytes: 2_700_000, chunks: 1 };
    const gate = { outcome: 'passed' as const, reason: 'ok' };
    const sut = retrainReport(summarizeRetrain(settings, { ...marks, saved: 46_100 }, 34_000, gate, router));
    expect(sut).toEqual([
      'stored the router: 0.6 s (14.5 MB of JSON, 2.7 MB gzipped, 1 chunks)',
      'retraining from 50000 stored records: 14.6 s in all (read 2.0 s, train and compare 12.0 s, store 0.6 s)',
    ]);
  });
});
