import { performance } from 'node:perf_hooks';
import { type StepSample, sendsDue } from './overhead-stats';

/** One request: resolves true on a good reply, false on an error reply; rejects when nothing came back in time. */
export type SendOnce = () => Promise<boolean>;

export interface OpenLoopOptions {
  rateRps: number;
  seconds: number;
  /** Monotonic clock in ms (tests pass a fake one). */
  now?: () => number;
  /** Sleeps about `ms` (tests pass a fake one that moves their clock). */
  wait?: (ms: number) => Promise<void>;
}

const timerWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Open-loop load: sends are scheduled at evenly spaced times whether or not earlier ones were answered, and
 * each latency runs from the send's scheduled time, so a stalled system or a late timer shows up in the
 * numbers instead of quietly lowering the load (no coordinated omission). Resolves when every send has
 * been answered or has failed.
 */
export async function runOpenLoop(send: SendOnce, opts: OpenLoopOptions): Promise<StepSample> {
  const now = opts.now ?? (() => performance.now());
  const wait = opts.wait ?? timerWait;
  const total = Math.max(1, Math.round(opts.rateRps * opts.seconds));
  const intervalMs = 1000 / opts.rateRps;
  const latencies = new Float64Array(total);
  let ok = 0;
  let failed = 0;
  let lost = 0;
  let settled = 0;
  let lastGood = 0;
  let allSettled: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allSettled = resolve));
  const settle = () => {
    if (++settled === total) allSettled();
  };

  const start = now();
  const fire = (scheduled: number) => {
    let reply: Promise<boolean>;
    try {
      reply = send();
    } catch (err) {
      reply = Promise.reject(err);
    }
    void reply.then(
      (good) => {
        const t = now();
        if (good) {
          latencies[ok++] = t - scheduled;
          if (t > lastGood) lastGood = t;
        } else failed++;
        settle();
      },
      () => {
        lost++;
        settle();
      },
    );
  };
  for (let i = 0; i < total;) {
    const due = sendsDue(now() - start, intervalMs, total);
    for (; i < due; i++) fire(start + i * intervalMs);
    if (i < total) await wait(Math.max(0, start + i * intervalMs - now()));
  }
  await done;
  return {
    offeredRps: opts.rateRps,
    seconds: opts.seconds,
    sent: total,
    ok,
    failed,
    lost,
    latenciesMs: latencies.subarray(0, ok),
    elapsedMs: ok > 0 ? lastGood - start : 0,
  };
}
