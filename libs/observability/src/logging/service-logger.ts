import type { LogLevel, LoggerService } from '@nestjs/common';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { type DestinationStream, type Level, type Logger as Pino, pino } from 'pino';
import { errorForLog, setContentLogged, textForLog } from './content';
import { currentLogScope } from './log-scope';
import { processLogging } from './process-logging';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** LOG_CONTENT: prompts, answers and the error texts that may echo them are logged (bounded). Default off. */
  content?: boolean;
  /** Where the lines go: the process's standard output by default (tests pass a stream to read them). */
  destination?: DestinationStream;
}

/** Nest's levels on pino's: `log` is info, and `verbose` comes with debug as it did with LOG_LEVEL=debug before. */
const PINO_LEVEL: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'debug',
};
const MOST_VERBOSE_FIRST: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/**
 * Fields of a structured message (`logger.debug({ prompt, … })`) that hold content: censored unless
 * LOG_CONTENT=true, on the message itself and one level down.
 */
const CONTENT_FIELDS = ['prompt', 'answer', 'messages', 'content', 'completion', 'body'];
const CONTENT_PATHS = [...CONTENT_FIELDS, ...CONTENT_FIELDS.map((f) => `*.${f}`)];

/**
 * A Nest logger writing one JSON line per record through pino: `time`, `level`, `service`, `msg`, the class
 * that wrote it as `context`, and, when the line is written while handling a request, its `requestId`,
 * `tenant`, `traceId` and `spanId` (from the log context messaging and the HTTP doors open, and the active
 * OpenTelemetry span).
 */
export class ServiceLogger implements LoggerService {
  constructor(
    /** The service of lines written outside any service's log context. */
    readonly service: string,
    private readonly pino: Pino,
  ) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest's `app.useLogger([...])`: its set of levels becomes pino's threshold, the most verbose one given. */
  setLogLevels(levels: LogLevel[]): void {
    const most = MOST_VERBOSE_FIRST.find((l) => levels.includes(l));
    this.pino.level = most ? PINO_LEVEL[most] : 'silent';
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.pino.isLevelEnabled(PINO_LEVEL[level]);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    // First, and alone, on the hot path: a debug line at LOG_LEVEL=info costs this check.
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    // Nest's Logger appends the writing class's name: the last string argument, unless it is a stack.
    const last = rest[rest.length - 1];
    const writer = typeof last === 'string' && !isStack(last) ? (rest.pop() as string) : undefined;
    const line: Record<string, unknown> = {};
    let msg: string | undefined;
    if (message instanceof Error) msg = errorForLog(message);
    else if (typeof message === 'object' && message !== null) Object.assign(line, message);
    else msg = String(message);
    // error(message, stack): how Nest reports an exception it caught; the message may be anyone's words.
    if ((level === 'error' || level === 'fatal') && (rest[0] === undefined || isStack(rest[0]))) {
      const stack = rest.shift();
      if (typeof stack === 'string') {
        line['stack'] = textForStack(stack);
        if (msg !== undefined) msg = textForLog(msg);
      }
    }
    if (rest.length > 0) line['details'] = rest.map(detailForLog);
    Object.assign(line, this.requestFields());
    if (writer) line['context'] = writer;
    this.pino[level](line, msg);
  }

  /** service, and the request and trace the line is written for. */
  private requestFields(): Record<string, string> {
    const scope = currentLogScope();
    const fields: Record<string, string> = { service: scope?.service ?? this.service };
    if (scope?.requestId !== undefined) fields['requestId'] = scope.requestId;
    if (scope?.tenant !== undefined) fields['tenant'] = scope.tenant;
    const span = trace.getSpanContext(context.active());
    if (span && isSpanContextValid(span)) {
      fields['traceId'] = span.traceId;
      fields['spanId'] = span.spanId;
    } else if (scope?.traceId !== undefined && scope.spanId !== undefined) {
      fields['traceId'] = scope.traceId;
      fields['spanId'] = scope.spanId;
    }
    return fields;
  }
}

/**
 * The logger a service hands Nest (and so every `new Logger(Class.name)` of its code). Sets LOG_CONTENT for
 * the process. All loggers of a process share one asynchronous writer to standard output: lines are queued
 * and written off the main thread, and what is still queued when the process exits (process.exit after a
 * drain, a start-up failure, an uncaught error) is written synchronously by pino's exit hook.
 */
export function createLogger(service: string, level: LogLevelName, options: LoggerOptions = {}): ServiceLogger {
  const content = options.content ?? false;
  setContentLogged(content);
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(content ? {} : { redact: { paths: CONTENT_PATHS, censor: censorContent } }),
    },
    options.destination ?? stdout(),
  );
  return new ServiceLogger(service, logger);
}

function stdout(): DestinationStream {
  const shared = processLogging();
  // minLength 0: a line goes out as soon as the previous write is done, never held for a fuller buffer.
  shared.stdout ??= pino.destination({ dest: 1, sync: false, minLength: 0 });
  return shared.stdout;
}

function censorContent(value: unknown): string {
  return typeof value === 'string'
    ? `[${value.length} chars, not logged: LOG_CONTENT=false]`
    : '[not logged: LOG_CONTENT=false]';
}

function isStack(value: unknown): boolean {
  return typeof value === 'string' && /\n\s+at /.test(value);
}

/** A stack's frames as they are; the message lines above them through textForLog. */
function textForStack(stack: string): string {
  const lines = stack.split('\n');
  const first = lines.findIndex((l) => /^\s+at /.test(l));
  if (first < 0) return textForLog(stack);
  return [textForLog(lines.slice(0, first).join('\n')), ...lines.slice(first)].join('\n');
}

function detailForLog(value: unknown): unknown {
  if (value instanceof Error) return errorForLog(value);
  if (typeof value === 'string') return textForLog(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return textForLog(JSON.stringify(value) ?? String(value));
}
