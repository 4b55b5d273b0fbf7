// Structured JSON logs through pino, with the request, tenant and trace each line is written for (logging/).
export { contentForLog, contentLogged, errorForLog, textForLog } from './logging/content';
export {
  type LogScope,
  annotateLogContext,
  currentLogScope,
  httpLogContext,
  withRequestLogContext,
  withServiceLogContext,
} from './logging/log-scope';
export {
  LOG_LEVELS,
  type LogLevelName,
  type LoggerOptions,
  ServiceLogger,
  createLogger,
} from './logging/service-logger';
