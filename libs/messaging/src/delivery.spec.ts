import { RouterError } from '@switchyard/contracts';
import { HoldMessageError, failureVerdict, redeliveryDelayMs } from './delivery';

describe(failureVerdict.name, () => {
  const rules = { maxDeliver: 5, isTransient: (err: unknown) => (err as Error).name === 'MongoNetworkError' };
  const network = Object.assign(new Error('connection refused'), { name: 'MongoNetworkError' });

  it('dead-letters bad input at once: no retry can fix it', () => {
    expect(failureVerdict(new RouterError('invalid_request', 'x: bad', 'x'), 1, 0, rules)).toEqual({
      action: 'dead-letter',
      reason: 'invalid',
      error: 'x: bad',
    });
    expect(failureVerdict(new RouterError('invalid_json', 'not JSON'), 1, 0, rules)).toMatchObject({
      reason: 'invalid',
    });
  });

  it('retries a failing handler with growing delays, then dead-letters it on the last allowed delivery', () => {
    const boom = new Error('boom');
    expect(failureVerdict(boom, 1, 0, rules)).toEqual({ action: 'retry', delayMs: 500 });
    expect(failureVerdict(boom, 4, 0, rules)).toEqual({ action: 'retry', delayMs: 4000 });
    expect(failureVerdict(boom, 5, 0, rules)).toEqual({
      action: 'dead-letter',
      reason: 'failing',
      error: 'boom (delivery 5 of 5)',
    });
  });

  it('waits out a dependency that is away, however many deliveries it takes', () => {
    expect(failureVerdict(network, 500, 0, rules)).toEqual({ action: 'retry', delayMs: 30_000 });
  });

  it('holds an event until its time is up, never sooner than needed, then dead-letters it with its reason', () => {
    const hold = new HoldMessageError('no record yet', 10_000, 'unknown-request');
    expect(failureVerdict(hold, 20, 9_700, rules)).toEqual({ action: 'retry', delayMs: 300 });
    expect(failureVerdict(hold, 1, 0, rules)).toEqual({ action: 'retry', delayMs: 250 });
    expect(failureVerdict(hold, 3, 0, rules)).toEqual({ action: 'retry', delayMs: 1000 });
    expect(failureVerdict(hold, 9, 0, rules)).toEqual({ action: 'retry', delayMs: 5000 });
    expect(failureVerdict(hold, 3, 10_000, rules)).toEqual({
      action: 'dead-letter',
      reason: 'unknown-request',
      error: 'no record yet',
    });
  });
});

describe(redeliveryDelayMs.name, () => {
  it('doubles from half a second and stops at 30 s', () => {
    expect([1, 2, 3, 7, 8, 50].map(redeliveryDelayMs)).toEqual([500, 1000, 2000, 30_000, 30_000, 30_000]);
  });
});
