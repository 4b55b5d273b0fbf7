import { tracingConfigFromEnv } from '@switchyard/observability';

/** The trace id of a W3C traceparent header (`00-<32 hex>-<16 hex>-<2 hex>`), if it is one. */
export function traceIdOf(traceparent: string | null | undefined): string | undefined {
  return /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent?.trim() ?? '')?.[1];
}

/** One line per fact: where the traces of this run went (or how to turn them on). */
export function tracingLines(env: NodeJS.ProcessEnv, sampleTraceId: string | undefined): string[] {
  const config = tracingConfigFromEnv(env, 'ingress');
  if (!config)
    return [
      'Traces: off. Set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://127.0.0.1:4318, an OpenTelemetry Collector,',
      '  Jaeger or Tempo) and every service exports one trace per request across all five hops (docs/operations.md).',
    ];
  return [
    `Traces: OTLP ${config.protocol} to ${config.url}, one trace per request across the services`,
    `  (service.name ingress, analyzer, decision-engine, provider-adapters, feedback-aggregator; sampler ${config.sampler.name}).`,
    sampleTraceId
      ? `  One of this run's HTTP requests: trace id ${sampleTraceId} (its traceparent reply header).`
      : '  No HTTP reply carried a traceparent (sampled out?).',
  ];
}
