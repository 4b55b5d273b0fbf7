import { runOpenLoop } from './open-loop';

/** A clock that only moves when the generator waits: each wait lands `lateMs` after the time asked for. */
function fakeClock(lateMs = 0) {
  let t = 1000;
  return {
    now: () => t,
    wait: async (ms: number) => {
      await new Promise((resolve) => setImmediate(resolve)); // replies already in hand arrive first
      t += ms + lateMs;
    },
    advance: (ms: number) => (t += ms),
  };
}

describe(runOpenLoop.name, () => {
  it('sends rate x seconds requests and sorts their outcomes into ok, failed and lost', async () => {
    const clock = fakeClock();
    let i = 0;
    const sut = await runOpenLoop(
      () => {
        const n = i++;
        if (n % 10 === 3) return Promise.reject(new Error('timeout'));
        if (n === 0) throw new Error('connection closed');
        return Promise.resolve(n % 10 !== 7);
      },
      { rateRps: 100, seconds: 0.5, ...clock },
    );
    expect(sut).toMatchObject({ sent: 50, ok: 39, failed: 5, lost: 6 });
    expect(sut.latenciesMs).toHaveLength(39);
  });

  it('does not wait for replies before the next send (open loop)', async () => {
    const clock = fakeClock();
    const pending: Array<(ok: boolean) => void> = [];
    const run = runOpenLoop(() => new Promise<boolean>((resolve) => pending.push(resolve)), {
      rateRps: 1000,
      seconds: 0.02,
      ...clock,
    });
    for (let turn = 0; turn < 100 && pending.length < 20; turn++) await new Promise((r) => setImmediate(r));
    expect(pending).toHaveLength(20); // every send went out with none answered
    clock.advance(5);
    pending.forEach((resolve) => resolve(true));
    const sut = await run;
    expect(sut.ok).toBe(20);
  });

  it('times each request from its scheduled send, so a late timer counts against the latency', async () => {
    const clock = fakeClock(4); // every wake-up 4 ms late
    const sut = await runOpenLoop(() => Promise.resolve(true), { rateRps: 1000, seconds: 0.01, ...clock });
    // Replies are instant on this clock: any latency is time the send spent waiting for its turn.
    expect(sut.sent).toBe(10);
    expect(Math.max(...Array.from(sut.latenciesMs))).toBeGreaterThan(0);
    expect(Math.min(...Array.from(sut.latenciesMs))).toBe(0);
  });
});
