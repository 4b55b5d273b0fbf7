import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type LoggerService, Logger } from '@nestjs/common';
import { DiagLogLevel, diag, trace } from '@opentelemetry/api';
import { SPAN_ATTRIBUTES } from './attributes';
import { type TracingConfig, tracingConfigFromEnv } from './tracing-config';
import { type ShutdownProvider, tracingState } from './state';

export interface StartTracingOptions {
  /** Several services share this process (`switchyard serve`): one SDK, service.name `switchyard`. */
  colocated?: boolean;
  /** Read for the OTEL_* variables (the exporter and the resource detectors read the process's own). */
  env?: NodeJS.ProcessEnv;
  logger?: LoggerService;
}

/** Stops this service's use of tracing; the last service of the process flushes and shuts the SDK down. */
export type StopTracing = () => Promise<void>;

/** Longest wait at shutdown for the last spans to reach the collector: a drain must not hang on it. */
export const TRACING_FLUSH_TIMEOUT_MS = 3000;

/**
 * Starts the OpenTelemetry SDK for this process when an OTLP endpoint is configured (see
 * tracingConfigFromEnv): spans go through a BatchSpanProcessor to the OTLP/HTTP exporter. Off, nothing is
 * loaded and the returned function does nothing. Called by every service's bootstrap: the first one in a
 * process starts the SDK, the others share it. Every span carries `switchyard.service`, the service that
 * started it (its tracer's name), since in co-located mode service.name is the process's (`switchyard`).
 */
export async function startTracing(service: string, options: StartTracingOptions = {}): Promise<StopTracing> {
  const config = tracingConfigFromEnv(options.env ?? process.env, service, options);
  if (!config) return async () => undefined;
  const logger = options.logger ?? new Logger('Tracing');
  tracingState.users++;
  const starting = (tracingState.starting ??= createProvider(config, Boolean(options.colocated), logger));
  try {
    await starting;
  } catch (err) {
    tracingState.users--;
    tracingState.starting = undefined;
    throw err;
  }
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    if (--tracingState.users > 0) return;
    tracingState.enabled = false;
    tracingState.starting = undefined;
    await shutdownWithin(await starting, TRACING_FLUSH_TIMEOUT_MS, logger);
    trace.disable();
    diag.disable();
  };
}

async function createProvider(
  config: TracingConfig,
  colocated: boolean,
  logger: LoggerService,
): Promise<ShutdownProvider> {
  const [sdk, resources, semconv, exporters] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
    config.protocol === 'http/json'
      ? import('@opentelemetry/exporter-trace-otlp-http')
      : import('@opentelemetry/exporter-trace-otlp-proto'),
  ]);
  // The SDK's own complaints (an export that failed, a full queue) go to the service's JSON log.
  diag.setLogger(
    {
      error: (message) => logger.error(`tracing: ${message}`),
      warn: (message) => logger.warn(`tracing: ${message}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const ratio = () => new sdk.TraceIdRatioBasedSampler(config.sampler.ratio);
  const samplers = {
    always_on: () => new sdk.AlwaysOnSampler(),
    always_off: () => new sdk.AlwaysOffSampler(),
    traceidratio: ratio,
    parentbased_always_on: () => new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() }),
    parentbased_always_off: () => new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() }),
    parentbased_traceidratio: () => new sdk.ParentBasedSampler({ root: ratio() }),
  } satisfies Record<TracingConfig['sampler']['name'], () => unknown>;
  // Later merges win: our defaults over the SDK's, then OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME.
  const resource = resources
    .defaultResource()
    .merge(
      resources.resourceFromAttributes({
        [semconv.ATTR_SERVICE_NAME]: config.defaultServiceName,
        [semconv.ATTR_SERVICE_NAMESPACE]: 'switchyard',
        [semconv.ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
        'host.name': hostname(),
        'process.pid': process.pid,
        'switchyard.colocated': colocated,
      }),
    )
    .merge(
      resources.detectResources({
        detectors: [resources.resourceAttributesEnvDetector, resources.serviceNameEnvDetector],
      }),
    );
  const provider = new sdk.TracerProvider({
    resource,
    sampler: samplers[config.sampler.name](),
    spanProcessors: [
      // Tracers are named after the service that starts the span: in co-located mode that tells them apart.
      {
        onStart: (span) => span.setAttribute(SPAN_ATTRIBUTES.service, span.instrumentationScope.name),
        onEnd: () => undefined,
        forceFlush: async () => undefined,
        shutdown: async () => undefined,
      },
      new sdk.BatchSpanProcessor({ exporter: new exporters.OTLPTraceExporter({ url: config.url }), ...config.batch }),
    ],
  });
  if (!trace.setGlobalTracerProvider(provider))
    logger.warn('tracing: another tracer provider was registered first; spans go to it');
  tracingState.enabled = true;
  logger.log(
    `tracing on: spans to ${config.url} (${config.protocol}), sampler ${config.sampler.name}` +
      `${config.sampler.name.endsWith('traceidratio') ? ` ${config.sampler.ratio}` : ''}, ` +
      `service.name ${String(resource.attributes[semconv.ATTR_SERVICE_NAME])}`,
  );
  return provider;
}

async function shutdownWithin(provider: ShutdownProvider, timeoutMs: number, logger: LoggerService): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([provider.shutdown().then(() => 'flushed' as const), timedOut]);
    if (outcome === 'timeout')
      logger.warn(`tracing: the last spans were not exported within ${timeoutMs} ms; shutting down without them`);
  } catch (err) {
    logger.warn(`tracing: flushing the last spans failed: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
