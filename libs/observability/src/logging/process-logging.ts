import { AsyncLocalStorage } from 'node:async_hooks';
import type { DestinationStream } from 'pino';
import type { LogScope } from './log-scope';

/** What every service of a process shares for logging. */
interface ProcessLogging {
  /** The request (or service) a line is written for, carried across await. */
  readonly scopes: AsyncLocalStorage<LogScope>;
  /** LOG_CONTENT: prompts, answers and the error texts that may echo them go to the logs in full. */
  content: boolean;
  /** Standard output, written asynchronously; made when the first logger of the process needs it. */
  stdout?: DestinationStream;
}

const KEY = Symbol.for('switchyard.logging');

/**
 * One per process, through globalThis: in a co-located host each service's bundle carries its own copy of
 * this library, yet a line written by one copy's logger must see the log context another copy's messaging
 * opened, and all of them must write through one stdout writer (two writers on one descriptor interleave).
 */
export function processLogging(): ProcessLogging {
  const holder = globalThis as { [KEY]?: ProcessLogging };
  holder[KEY] ??= { scopes: new AsyncLocalStorage<LogScope>(), content: false };
  return holder[KEY];
}
