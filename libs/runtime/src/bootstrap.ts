import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type LogLevelName, createLogger } from '@switchyard/observability';
import { ServiceState } from './health';

export interface ServiceBootstrapOptions {
  service: string;
  module: Type<unknown> | DynamicModule;
  httpHost: string;
  httpPort: number;
  logLevel: LogLevelName;
  shutdownTimeoutMs: number;
  /** False where the service reads request bodies itself (ingress: its own size limit and error shape). */
  bodyParser?: boolean;
}

/**
 * Starts a Switchyard service: JSON logs, HTTP for probes (and the API on ingress), graceful shutdown on
 * SIGTERM/SIGINT with a hard limit so a stuck dependency cannot keep a pod from terminating.
 */
export async function bootstrapService(options: ServiceBootstrapOptions): Promise<INestApplication> {
  const logger = createLogger(options.service, options.logLevel);
  const app = await NestFactory.create(options.module, { logger, bodyParser: options.bodyParser ?? true });
  // Our own signal handling rather than enableShutdownHooks(): Nest re-raises the signal after closing, so the
  // process would end "killed by SIGTERM" even when it drained cleanly. Here a clean drain exits 0.
  const state = app.get(ServiceState);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      state.draining = true;
      logger.log(`${signal}: draining (at most ${options.shutdownTimeoutMs} ms)`);
      setTimeout(() => {
        logger.error(`shutdown took longer than ${options.shutdownTimeoutMs} ms; exiting`);
        process.exit(1);
      }, options.shutdownTimeoutMs).unref();
      app.close().then(
        () => process.exit(0),
        (err: Error) => {
          logger.error(`shutdown failed: ${err.stack ?? err.message}`);
          process.exit(1);
        },
      );
    });
  }
  await app.listen(options.httpPort, options.httpHost);
  logger.log(`${options.service} ready on http://${options.httpHost}:${options.httpPort}`);
  return app;
}

/** Entry point of a service's main.ts: start it, or say why it cannot start and exit non-zero. */
export function runService(start: () => Promise<unknown>): void {
  start().catch((err: Error) => {
    // Before the logger exists (bad config, unreachable server at start-up): plain stderr.
    process.stderr.write(`${err.name === 'ConfigError' || err.name === 'PolicyError' ? err.message : (err.stack ?? String(err))}\n`);
    process.exit(1);
  });
}
