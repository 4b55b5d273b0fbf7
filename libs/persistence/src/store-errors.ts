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
