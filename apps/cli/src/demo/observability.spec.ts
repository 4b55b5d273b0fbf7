import { traceIdOf, tracingLines } from './observability';

describe('the demo’s observability summary', () => {
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
