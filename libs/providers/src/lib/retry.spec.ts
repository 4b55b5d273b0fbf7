import { ProviderError } from './provider-error';
import { type TryRecord, backoffMs, withRetries } from './retry';

const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 50, timeoutMs: 1000 };

describe(withRetries.name, () => {
  it('retries retryable failures and records every try', async () => {
    const tries: TryRecord[] = [];
    let n = 0;
    const value = await withRetries(
      async () => {
        if (++n < 3) throw new ProviderError('503', true, 503);
        return 'ok';
      },
      policy,
      tries,
    );
    expect(value).toBe('ok');
    expect(tries.map((t) => t.ok)).toEqual([false, false, true]);
    expect(tries[0].error).toBe('503');
  });

  it('stops at once on a failure that is not retryable', async () => {
    const tries: TryRecord[] = [];
    await expect(
      withRetries(async () => Promise.reject(new ProviderError('401', false, 401)), policy, tries),
    ).rejects.toThrow('401');
    expect(tries).toHaveLength(1);
  });

  it('gives up after the last try with its error', async () => {
    const tries: TryRecord[] = [];
    await expect(
      withRetries(async () => Promise.reject(new ProviderError('down', true)), policy, tries),
    ).rejects.toThrow('down');
    expect(tries).toHaveLength(3);
  });
});

describe(backoffMs.name, () => {
  const p = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000, timeoutMs: 1 };
  it('doubles per try within jitter and the cap', () => {
    expect(backoffMs(2, p, undefined, () => 1)).toBe(100);
    expect(backoffMs(3, p, undefined, () => 1)).toBe(200);
    expect(backoffMs(3, p, undefined, () => 0)).toBe(100);
    expect(backoffMs(10, p, undefined, () => 1)).toBe(1000);
  });
  it('waits at least the provider retry-after, up to the cap', () => {
    expect(backoffMs(2, p, 700, () => 0)).toBe(700);
    expect(backoffMs(2, p, 5000, () => 0)).toBe(1000);
  });
});
