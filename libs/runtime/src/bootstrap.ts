import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type LogLevelName, createLogger, registerContextManager } from '@switchyard/observability';
import { ServiceState } from './health';
import { isColocated } from './colocated';

/** The settings every service's validated config has (see baseEnvSchema). */
export interface ServiceConfig {
  HTTP_HOST: string;
  HTTP_PORT: number;
  LOG_LEVEL: LogLevelName;
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
export async function bootstrapService(
  service: string,
  module: Type<unknown> | DynamicModule,
  config: ServiceConfig,
  options: ServiceBootstrapOptions = {},
): Promise<INestApplication> {
  // Spans follow the request across await, so the trace id travels on every message a handler sends.
  registerContextManager();
  const logger = createLogger(service, config.LOG_LEVEL);
  const app = await NestFactory.create(module, { logger, bodyParser: options.bodyParser ?? true });
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
      app.close().then(
        () => process.exit(0),
        (err: Error) => {
          logger.error(`shutdown failed: ${err.stack ?? err.message}`);
          process.exit(1);
        },
      );
    });
  }
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  logger.log(`${service} ready on http://${config.HTTP_HOST}:${config.HTTP_PORT}`);
  return app;
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
