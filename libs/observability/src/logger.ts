import { ConsoleLogger, type LogLevel } from '@nestjs/common';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

const NEST_LEVELS: Record<LogLevelName, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** One JSON line per log record, with the service name: what log collectors in Kubernetes expect. */
export function createLogger(service: string, level: LogLevelName): ConsoleLogger {
  return new ConsoleLogger(service, { json: true, logLevels: NEST_LEVELS[level], colors: false });
}
