import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM } from '@switchyard/contracts';
import { NATS_CONNECTION } from '@switchyard/messaging';
import { METRICS, ServiceMetrics } from '@switchyard/observability';
import { AGGREGATOR_CONFIG, type AggregatorConfig } from '../config';

/** Longest a scrape waits for the consumer's info (one JetStream API request). */
const INFO_TIMEOUT_MS = 1000;

/**
 * The records consumer's lag, read from JetStream when Prometheus scrapes: messages not yet delivered, delivered
 * and not acked, and redelivered. One API request per scrape ($JS.API.CONSUMER.INFO, which the service's NATS
 * user may send), bounded by INFO_TIMEOUT_MS; every replica reports the same durable's figures.
 */
@Injectable()
export class ConsumerGauges implements OnModuleInit {
  private jsm: Promise<JetStreamManager> | undefined;

  constructor(
    private readonly metrics: ServiceMetrics,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(AGGREGATOR_CONFIG) private readonly config: Pick<AggregatorConfig, 'DURABLE_NAME'>,
  ) {}

  onModuleInit(): void {
    const labels = { stream: EVENTS_STREAM.name, consumer: this.config.DURABLE_NAME };
    this.metrics.sampled(
      'records-consumer',
      [METRICS.consumerPending, METRICS.consumerAckPending, METRICS.consumerRedelivered],
      async (put) => {
        // Made once: checkAPI off, or each would first ask for the account's info.
        this.jsm ??= jetstreamManager(this.nc, { checkAPI: false, timeout: INFO_TIMEOUT_MS }).catch((err: Error) => {
          this.jsm = undefined; // the next scrape tries again
          throw err;
        });
        const info = await (await this.jsm).consumers.info(labels.stream, labels.consumer);
        put(METRICS.consumerPending, labels, info.num_pending);
        put(METRICS.consumerAckPending, labels, info.num_ack_pending);
        put(METRICS.consumerRedelivered, labels, info.num_redelivered);
      },
      INFO_TIMEOUT_MS,
    );
  }
}
