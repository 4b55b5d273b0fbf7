import { COLOCATED_SERVICE_NAME, tracingConfigFromEnv } from './tracing-config';

describe(tracingConfigFromEnv.name, () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

  describe('off', () => {
    it.each([
      ['no endpoint at all', {}],
      ['an empty endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }],
      ['the other OTEL settings but no endpoint', { OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }],
      ['OTEL_SDK_DISABLED=true', { ...endpoint, OTEL_SDK_DISABLED: 'true' }],
      ['OTEL_TRACES_EXPORTER=none', { ...endpoint, OTEL_TRACES_EXPORTER: 'none' }],
    ])('when %s', (_why, env) => {
      expect(tracingConfigFromEnv(env, 'analyzer')).toBeUndefined();
    });

    it('does not look at the rest when there is no endpoint (a bad sampler cannot stop a service that traces nothing)', () => {
      expect(tracingConfigFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' }, 'analyzer')).toBeUndefined();
    });
  });

  describe('on', () => {
    it('sends to the general endpoint plus /v1/traces, as protobuf, sampling everything its parent samples', () => {
      expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'analyzer')).toEqual({
        url: 'http://collector:4318/v1/traces',
        protocol: 'http/protobuf',
        defaultServiceName: 'analyzer',
        sampler: { name: 'parentbased_always_on', ratio: 1 },
        batch: { scheduledDelayMillis: 5000, maxQueueSize: 2048, maxExportBatchSize: 512, exportTimeoutMillis: 30000 },
      });
    });

    it('uses the traces endpoint as given, over the general one', () => {
      const sut = tracingConfigFromEnv(
        { ...endpoint, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp/v1/traces' },
        'analyzer',
      );
      expect(sut?.url).toBe('https://traces.example/otlp/v1/traces');
    });

    it('reads the protocol (the traces one first), the sampler and its ratio, and the batch settings', () => {
      const sut = tracingConfigFromEnv(
        {
          ...endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '0.25',
          OTEL_BSP_SCHEDULE_DELAY: '200',
          OTEL_BSP_MAX_QUEUE_SIZE: '100',
        },
        'analyzer',
      );
      expect(sut).toMatchObject({
        protocol: 'http/json',
        sampler: { name: 'parentbased_traceidratio', ratio: 0.25 },
        // A batch never exceeds the queue.
        batch: { scheduledDelayMillis: 200, maxQueueSize: 100, maxExportBatchSize: 100 },
      });
    });

    it('names the process switchyard when several services share it', () => {
      expect(tracingConfigFromEnv(endpoint, 'analyzer', { colocated: true })?.defaultServiceName).toBe(
        COLOCATED_SERVICE_NAME,
      );
    });
  });

  describe('invalid', () => {
    it('names every variable that is wrong', () => {
      const read = () =>
        tracingConfigFromEnv(
          {
            OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
            OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
            OTEL_TRACES_SAMPLER: 'sometimes',
            OTEL_TRACES_SAMPLER_ARG: '2',
            OTEL_BSP_SCHEDULE_DELAY: 'soon',
            OTEL_TRACES_EXPORTER: 'zipkin',
          },
          'analyzer',
        );
      expect(read).toThrow(
        expect.objectContaining({
          name: 'ConfigError',
          message: expect.stringMatching(
            /OTEL_TRACES_EXPORTER.*OTEL_EXPORTER_OTLP_ENDPOINT.*OTEL_EXPORTER_OTLP_PROTOCOL.*OTEL_TRACES_SAMPLER=.*OTEL_TRACES_SAMPLER_ARG.*OTEL_BSP_SCHEDULE_DELAY/,
          ),
        }),
      );
    });
  });
});
