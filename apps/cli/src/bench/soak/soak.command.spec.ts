import type { StepSummary } from '../overhead/overhead-stats';
import { type SoakCheck, soakReport, summarizeSoak } from './soak.command';

const step: StepSummary = {
  offeredRps: 50,
  sent: 300,
  ok: 300,
  failed: 0,
  lost: 0,
  achievedRps: 49.8,
  p50Ms: 3,
  p95Ms: 6,
  p99Ms: 9,
  maxMs: 12,
};
const cleanCheck: SoakCheck = { found: 300, missing: [], unrated: [], duplicates: 0, wrongRating: 0 };

function input(over: Partial<Parameters<typeof summarizeSoak>[0]> = {}): Parameters<typeof summarizeSoak>[0] {
  return {
    settings: { minutes: 0.1, seconds: 6, rateRps: 50, feedbackShare: 0.5, timeoutMs: 10_000 },
    step,
    failures: {},
    check: cleanCheck,
    rated: 150,
    feedbackRefused: 0,
    deadLetters: 0,
    backlog: { maxEventsNotYetStored: 12, drainMs: 400, eventsLeft: 0 },
    ...over,
  };
}

describe(summarizeSoak.name, () => {
  it('counts the load, the records and the ratings, and is clean when each answer has its one record', () => {
    const sut = summarizeSoak(input());
    expect(sut).toEqual({
      settings: { minutes: 0.1, seconds: 6, rateRps: 50, feedbackShare: 0.5, timeoutMs: 10_000 },
      load: {
        sent: 300,
        answered: 300,
        refused: 0,
        lost: 0,
        achievedRps: 49.8,
        p50Ms: 3,
        p95Ms: 6,
        p99Ms: 9,
        maxMs: 12,
      },
      refusedByCode: {},
      records: { stored: 300, missing: 0, duplicated: 0, firstMissingRequestIds: [] },
      ratings: { answersRated: 150, feedbackRefused: 0, onRecords: 150, missing: 0, wrong: 0 },
      deadLetters: 0,
      backlog: { maxEventsNotYetStored: 12, drainMs: 400, eventsLeft: 0 },
      clean: true,
    });
  });

  it('is not clean when a record or a rating is missing, duplicated or wrong, or a request was lost', () => {
    const missing = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const sut = summarizeSoak(input({ check: { ...cleanCheck, found: 288, missing } }));
    expect(sut.clean).toBe(false);
    expect(sut.records).toEqual({
      stored: 288,
      missing: 12,
      duplicated: 0,
      firstMissingRequestIds: missing.slice(0, 10),
    });
    expect(summarizeSoak(input({ check: { ...cleanCheck, unrated: ['r1'] } })).ratings).toMatchObject({
      onRecords: 149,
      missing: 1,
    });
    expect(summarizeSoak(input({ check: { ...cleanCheck, unrated: ['r1'] } })).clean).toBe(false);
    expect(summarizeSoak(input({ check: { ...cleanCheck, duplicates: 1 } })).clean).toBe(false);
    expect(summarizeSoak(input({ check: { ...cleanCheck, wrongRating: 1 } })).clean).toBe(false);
    expect(summarizeSoak(input({ feedbackRefused: 1 })).clean).toBe(false);
    expect(summarizeSoak(input({ step: { ...step, ok: 299, lost: 1 } })).clean).toBe(false);
  });

  it('gives null, not NaN, for the latency when nothing was answered', () => {
    const none = { ...step, ok: 0, lost: 300, p50Ms: NaN, p95Ms: NaN, p99Ms: NaN, maxMs: NaN };
    expect(summarizeSoak(input({ step: none })).load).toMatchObject({ p50Ms: null, p99Ms: null, maxMs: null });
  });
});

describe(soakReport.name, () => {
  it('prints the counts the e2e spec and a reader look for', () => {
    const sut = soakReport(summarizeSoak(input({ failures: { timeout: 2 } })));
    expect(sut).toContain('  records stored               300 (0 missing, 0 duplicated)');
    expect(sut).toContain('  ratings on their records     150 (0 missing, 0 wrong)');
    expect(sut).toContain('  refused requests by code     {"timeout":2}');
    expect(sut).toContain(
      '  events not yet stored         at most 12 during the load; all stored 0.4 s after it ended',
    );
    expect(sut.at(-1)).toBe('  every answered request recorded exactly once, with its rating');
  });

  it('says when the wait for the backlog gave up, and that the run was not clean', () => {
    const sut = soakReport(
      summarizeSoak(
        input({
          check: { ...cleanCheck, found: 299, missing: ['r7'] },
          backlog: { maxEventsNotYetStored: 900, drainMs: 61_000, eventsLeft: 40 },
        }),
      ),
    );
    expect(sut).toContain(
      '  events not yet stored         at most 900 during the load; 40 still not stored 61.0 s after it ended',
    );
    expect(sut).toContain('  missing records, first ones: r7');
    expect(sut.at(-1)).toBe('  NOT CLEAN: see above');
  });
});
