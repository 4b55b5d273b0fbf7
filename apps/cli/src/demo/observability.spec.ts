import { metricTotal, traceIdOf, tracingLines } from './observability';

describe('the demo’s observability summary', () => {
  const exposition = [
    '# HELP switchyard_requests_total Requests by door, model and outcome.',
    '# TYPE switchyard_requests_total counter',
    'switchyard_requests_total{door="nats",outcome="ok"} 12',
    'switchyard_requests_total{door="http",outcome="ok"} 7',
    'switchyard_requests_total_extra 100',
    'switchyard_request_duration_seconds_bucket{le="0.1"} 3',
    'switchyard_cost_usd_total 0.0125',
    '',
  ].join('\n');

  it('sums every label set of one metric and nothing that only shares its prefix', () => {
    expect(metricTotal(exposition, 'switchyard_requests_total')).toBe(19);
    expect(metricTotal(exposition, 'switchyard_cost_usd_total')).toBeCloseTo(0.0125);
    expect(metricTotal(exposition, 'switchyard_tokens_total')).toBe(0);
  });

  it('reads the trace id of a W3C traceparent and nothing else', () => {
    expect(traceIdOf('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBe(
      '0af7651916cd43dd8448eb211c80319c',
    );
    expect(traceIdOf('garbage')).toBeUndefined();
    expect(traceIdOf(null)).toBeUndefined();
  });

  it('says how to turn tracing on when no endpoint is set, and where spans go when one is', () => {
    expect(tracingLines({}, undefined).join('\n')).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    const on = tracingLines({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'abc').join('\n');
    expect(on).toContain('http://collector:4318/v1/traces');
    expect(on).toContain('trace id abc');
  });
});
