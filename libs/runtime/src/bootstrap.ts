import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  type LogLevelName,
  createLogger,
  httpLogContext,
  registerContextManager,
  startTracing,
  withMetrics,
  withServiceLogContext,
  withTracing,
} from '@switchyard/observability';
import { ServiceState } from './health';
import { isColocated } from './colocated';

/** The settings every service's validated config has (see baseEnvSchema). */
export interface ServiceConfig {
  HTTP_HOST: string;
  HTTP_PORT: number;
  LOG_LEVEL: LogLevelName;
  /** Prompts and the error texts that may quote content are logged (bounded); off by default. */
  LOG_CONTENT?: boolean;
  SHUTDOWN_TIMEOUT_MS: number;
}

export interface ServiceBootstrapOptions {
  /** False where the service reads request bodies itself (ingress: its own size limit and error shape). */
  bodyParser?: boolean;
}

/**
 * Starts a Switchyard service: JSON logs, HTTP for probes (and the API on ingress), graceful shutdown on
 * SIGTERM/SIGINT with a hard limit so a stuck dependency cannot keep a pod from terminating.
 */
export function bootstrapService(
  service: string,
  module: Type<unknown> | DynamicModule,
  config: ServiceConfig,
  options: ServiceBootstrapOptions = {},
): Promise<INestApplication> {
  // What the service starts (connections, timers, its HTTP server) keeps this log context: its lines name it
  // even when it shares the process, and Nest's one logger, with other services (co-located).
  return withServiceLogContext(service, () => startApp(service, module, config, options));
}

async function startApp(
  service: string,
  module: Type<unknown> | DynamicModule,
  config: ServiceConfig,
  options: ServiceBootstrapOptions,
): Promise<INestApplication> {
  // Spans follow the request across await, so the trace id travels on every message a handler sends.
  registerContextManager();
  const logger = createLogger(service, config.LOG_LEVEL, { content: config.LOG_CONTENT });
  // OTLP traces when an OTEL_EXPORTER_OTLP_*ENDPOINT is set, one SDK per process; flushed when the app closes.
  const stopTracing = await startTracing(service, { colocated: isColocated(), logger });
  // GET /metrics beside the probes: a registry per app, so co-located services never share one.
  const root = withMetrics(withTracing(module, stopTracing));
  const app = await NestFactory.create(root, { logger, bodyParser: options.bodyParser ?? true });
  // Our own signal handling rather than enableShutdownHooks(): Nest re-raises the signal after closing, so the
  // process would end "killed by SIGTERM" even when it drained cleanly. Here a clean drain exits 0.
  const state = app.get(ServiceState);
  // Sharing a process with other services: the host stops them all, in order, on a signal.
  for (const signal of isColocated() ? [] : (['SIGTERM', 'SIGINT'] as const)) {
    process.once(signal, () => {
      state.draining = true;
      logger.log(`${signal}: draining (at most ${config.SHUTDOWN_TIMEOUT_MS} ms)`);
      setTimeout(() => {
        logger.error(`shutdown took longer than ${config.SHUTDOWN_TIMEOUT_MS} ms; exiting`);
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT_MS).unref();
      closeService(service, app).then(
        () => process.exit(0),
        (err: Error) => {
          logger.error(`shutdown failed: ${err.stack ?? err.message}`);
          process.exit(1);
        },
      );
    });
  }
  // Each HTTP request its own log context, which the doors name once they know the request.
  app.use(httpLogContext(service));
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  logger.log(`${service} ready on http://${config.HTTP_HOST}:${config.HTTP_PORT}`);
  return app;
}

/**
 * Stops a service's app with its log context, so its closing lines name it (a signal handler runs outside the
 * context the service started in, and co-located services share one process). Nest's app is a proxy that
 * ignores property assignment, hence a function rather than a wrapped `app.close`.
 */
export function closeService(service: string, app: INestApplication): Promise<void> {
  return withServiceLogContext(service, () => app.close());
}

/** Entry point of a service's main.ts: start it, or say why it cannot start and exit non-zero. */
export function runService(start: () => Promise<unknown>): void {
  start().catch((err: Error) => {
    // Before the logger exists (bad config, unreachable server at start-up): plain stderr.
    process.stderr.write(
      `${['ConfigError', 'PolicyError', 'DatasetError'].includes(err.name) ? err.message : (err.stack ?? String(err))}\n`,
    );
    process.exit(1);
  });
}
