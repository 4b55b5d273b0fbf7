import { RouterError } from '@switchyard/contracts';
import { STORE_RETRY_AFTER_SECONDS, isStoreUnavailable, storeRead } from './store-errors';

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

describe(isStoreUnavailable.name, () => {
  it('knows the driver’s errors of an unreachable or silent server, also as a cause', () => {
    expect(isStoreUnavailable(named('MongoNetworkTimeoutError'))).toBe(true);
    expect(isStoreUnavailable(named('MongoServerSelectionError'))).toBe(true);
    expect(isStoreUnavailable(new Error('wrapped', { cause: named('MongoNetworkError') }))).toBe(true);
    expect(isStoreUnavailable(named('MongooseError', 'Operation `x.find()` buffering timed out after 10000ms'))).toBe(
      true,
    );
  });

  it('does not take a bad query or a duplicate key for an outage', () => {
    expect(isStoreUnavailable(named('MongoServerError', 'E11000 duplicate key'))).toBe(false);
    expect(isStoreUnavailable(named('CastError'))).toBe(false);
    expect(isStoreUnavailable('MongoNetworkError')).toBe(false);
  });
});

describe(storeRead.name, () => {
  it('answers what the read gives', async () => {
    await expect(storeRead('rows', async () => [1, 2], 1_000)).resolves.toEqual([1, 2]);
    await expect(storeRead('rows', async () => 'x')).resolves.toBe('x');
  });

  it('answers an outage as unavailable, naming the store, what was read and the cause, with a Retry-After', async () => {
    const err = await storeRead('the stats rollups', () =>
      Promise.reject(named('MongoNetworkTimeoutError', 'connection 3 to 127.0.0.1:27017 timed out')),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouterError);
    expect((err as RouterError).toBody()).toEqual({
      code: 'unavailable',
      message:
        'the record store (MongoDB) is unavailable, reading the stats rollups: connection 3 to 127.0.0.1:27017 timed out',
      retryAfterSeconds: STORE_RETRY_AFTER_SECONDS,
    });
  });

  it('gives up waiting after withinMs, and lets the read finish unobserved', async () => {
    let finish: (rows: string[]) => void = () => undefined;
    const slow = new Promise<string[]>((resolve) => (finish = resolve));
    const started = Date.now();
    await expect(storeRead('reports', () => slow, 50)).rejects.toMatchObject({
      code: 'unavailable',
      message: 'the record store (MongoDB) is unavailable, reading reports: MongoDB did not answer within 0.05 s',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    finish(['late']);
    await expect(slow).resolves.toEqual(['late']);
  });

  it('passes any other error through as it is', async () => {
    const bad = new RouterError('invalid_request', 'no such field', 'groupBy');
    await expect(storeRead('rows', () => Promise.reject(bad), 1_000)).rejects.toBe(bad);
    const duplicate = named('MongoServerError', 'E11000');
    await expect(storeRead('rows', () => Promise.reject(duplicate))).rejects.toBe(duplicate);
  });

  it('refuses a wait that is no bound', async () => {
    for (const bad of [0, -5, 1.5, Number.NaN])
      await expect(storeRead('rows', async () => 1, bad)).rejects.toThrow(/withinMs must be a positive whole number/);
  });
});
