import { RouterError } from '@switchyard/contracts';

/**
 * Whether an error means MongoDB could not be reached or could not take writes for now (as opposed to this
 * write being wrong): such failures are retried for as long as it takes, never dead-lettered.
 */
export function isStoreUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (
      /^Mongo(ose)?(Network|NetworkTimeout|ServerSelection|NotConnected|PoolCleared|TopologyClosed)Error$/.test(e.name)
    )
      return true;
    // mongoose queues commands while disconnected and gives up on them after bufferTimeoutMS.
    if (e.name === 'MongooseError' && /buffering timed out/.test(e.message)) return true;
    const labels = (e as { errorLabelSet?: Set<string> }).errorLabelSet;
    if (labels?.has('RetryableWriteError') || labels?.has('ResetPool')) return true;
  }
  return false;
}

/** Seconds an API caller is told to wait (Retry-After) when the record store is unavailable. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * Runs a read an API caller is waiting for. MongoDB unreachable, or not answering within `withinMs`, is
 * answered as `unavailable` (503, Retry-After), naming the store and what was read, instead of an internal
 * error; any other error passes through as it is. `withinMs` bounds the caller's wait where the connection's
 * own socket timeout is longer (rule-optimizer's, sized for its scans): the read itself runs on until the
 * server answers or that timeout cuts it, its outcome dropped.
 */
export async function storeRead<T>(what: string, read: () => Promise<T>, withinMs?: number): Promise<T> {
  if (withinMs !== undefined && !(Number.isInteger(withinMs) && withinMs > 0))
    throw new Error(`withinMs must be a positive whole number of milliseconds, got ${withinMs}`);
  let timer: NodeJS.Timeout | undefined;
  const reading = read();
  try {
    if (withinMs === undefined) return await reading;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreDeadlineError(`MongoDB did not answer within ${withinMs / 1000} s`)),
        withinMs,
      );
    });
    return await Promise.race([reading, late]);
  } catch (err) {
    if (err instanceof StoreDeadlineError || isStoreUnavailable(err)) {
      throw new RouterError(
        'unavailable',
        `the record store (MongoDB) is unavailable, reading ${what}: ${(err as Error).message}`,
        undefined,
        STORE_RETRY_AFTER_SECONDS,
      );
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

class StoreDeadlineError extends Error {
  override name = 'StoreDeadlineError';
}
