/** What `startTracing` sets up, read from the standard OpenTelemetry environment variables. */
export interface TracingConfig {
  /** Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  url: string;
  protocol: 'http/protobuf' | 'http/json';
  /** service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise. */
  defaultServiceName: string;
  sampler: { name: SamplerName; ratio: number };
  batch: {
    scheduledDelayMillis: number;
    maxQueueSize: number;
    maxExportBatchSize: number;
    exportTimeoutMillis: number;
  };
}

export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** The resource's service.name in co-located mode: one SDK serves every service of the process. */
export const COLOCATED_SERVICE_NAME = 'switchyard';

export class TracingConfigError extends Error {
  constructor(problems: string[]) {
    super(`invalid tracing configuration: ${problems.join('; ')}`);
    // runService prints a ConfigError's message alone, without a stack: it names the variable to fix.
    this.name = 'ConfigError';
  }
}

/**
 * Tracing is off unless an OTLP endpoint is set (and OTEL_SDK_DISABLED is not `true`, OTEL_TRACES_EXPORTER
 * not `none`): undefined then, and no SDK is loaded. Values that are set but wrong throw, naming the
 * variable, so a typo fails the start instead of silently tracing nothing. The exporter itself reads the
 * rest of OTEL_EXPORTER_OTLP_* (headers, timeout, compression, certificates); the resource detectors read
 * OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
 */
export function tracingConfigFromEnv(
  env: NodeJS.ProcessEnv,
  service: string,
  options: { colocated?: boolean } = {},
): TracingConfig | undefined {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  if (get('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporters = get('OTEL_TRACES_EXPORTER')?.toLowerCase();
  if (exporters === 'none') return undefined;
  const tracesEndpoint = get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = get('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (tracesEndpoint === undefined && endpoint === undefined) return undefined;

  const problems: string[] = [];
  if (exporters !== undefined && exporters !== 'otlp')
    problems.push(`OTEL_TRACES_EXPORTER=${JSON.stringify(exporters)}: only otlp (or none) is supported`);
  // The signal's own endpoint is used as given; the general one gets the signal's path (the OTLP spec).
  const url = tracesEndpoint ?? `${(endpoint ?? '').replace(/\/+$/, '')}/v1/traces`;
  if (!/^https?:\/\/[^/]+/.test(url))
    problems.push(
      `${tracesEndpoint ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT'}=${JSON.stringify(tracesEndpoint ?? endpoint)}: not an http(s) URL`,
    );

  const protocolVar = get('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = get(protocolVar) ?? 'http/protobuf'; // the OTLP spec's default
  if (protocol !== 'http/protobuf' && protocol !== 'http/json')
    problems.push(`${protocolVar}=${JSON.stringify(protocol)}: use http/protobuf or http/json (grpc is not bundled)`);

  const samplerName = (get('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  if (!(SAMPLERS as readonly string[]).includes(samplerName))
    problems.push(`OTEL_TRACES_SAMPLER=${JSON.stringify(samplerName)}: use one of ${SAMPLERS.join(', ')}`);
  const ratio = number(get('OTEL_TRACES_SAMPLER_ARG'), 1, 'OTEL_TRACES_SAMPLER_ARG', problems, 0, 1);

  const batch = {
    scheduledDelayMillis: number(get('OTEL_BSP_SCHEDULE_DELAY'), 5000, 'OTEL_BSP_SCHEDULE_DELAY', problems, 1),
    maxQueueSize: number(get('OTEL_BSP_MAX_QUEUE_SIZE'), 2048, 'OTEL_BSP_MAX_QUEUE_SIZE', problems, 1),
    maxExportBatchSize: number(
      get('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
      512,
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      problems,
      1,
    ),
    exportTimeoutMillis: number(get('OTEL_BSP_EXPORT_TIMEOUT'), 30_000, 'OTEL_BSP_EXPORT_TIMEOUT', problems, 1),
  };
  // The SDK's rule: a batch never exceeds the queue.
  batch.maxExportBatchSize = Math.min(batch.maxExportBatchSize, batch.maxQueueSize);

  if (problems.length > 0) throw new TracingConfigError(problems);
  return {
    url,
    protocol: protocol as TracingConfig['protocol'],
    defaultServiceName: options.colocated ? COLOCATED_SERVICE_NAME : service,
    sampler: { name: samplerName as SamplerName, ratio },
    batch,
  };
}

function number(
  value: string | undefined,
  fallback: number,
  name: string,
  problems: string[],
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    problems.push(
      `${name}=${JSON.stringify(value)}: a number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}`,
    );
    return fallback;
  }
  return n;
}
