import { type DynamicModule, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { DEAD_LETTER_STREAM, EVENTS_STREAM, POLICIES_STREAM } from '@switchyard/contracts';
import { DurableOutbox, RecordsStoreIndicator } from './durable-outbox';
import { EventPublisher } from './event-publisher';
import { RequestFailureReporter } from './request-failure.reporter';
import { NatsHealthIndicator } from './nats-health.indicator';
import { MESSAGING_OPTIONS, type MessagingOptions, NATS_CONNECTION } from './messaging.constants';
import { natsAuthMethod, natsConnectionOptions } from './nats-connection';
import { ensureStream, loadStreamSettings } from './streams';
import { SubscriptionsExplorer } from './subscriptions.explorer';

@Module({})
export class MessagingModule implements OnApplicationShutdown {
  private readonly logger = new Logger(MessagingModule.name);

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  static forRoot(options: MessagingOptions): DynamicModule {
    const logger = new Logger(MessagingModule.name);
    // Validated here, before any connection opens: a bad STREAM_* variable stops the start naming it.
    const streamSettings = options.streamSettings ?? loadStreamSettings();
    return {
      exports: [
        DurableOutbox,
        EventPublisher,
        NATS_CONNECTION,
        NatsHealthIndicator,
        RecordsStoreIndicator,
        RequestFailureReporter,
      ],
      global: true,
      imports: [DiscoveryModule],
      module: MessagingModule,
      providers: [
        DurableOutbox,
        EventPublisher,
        NatsHealthIndicator,
        RecordsStoreIndicator,
        RequestFailureReporter,
        SubscriptionsExplorer,
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: NATS_CONNECTION,
          useFactory: async () => {
            const auth = options.auth ?? {};
            const nc = await connect({
              ...natsConnectionOptions(options.url, options.service, auth),
              maxReconnectAttempts: -1,
              reconnectTimeWait: 500,
              // Otherwise every request (the hop to analyzer, each JetStream publish's ack) builds two Error
              // objects up front, stack capture included, only to name the caller if it times out; our
              // timeouts become RouterErrors naming the subject anyway. Measured: bench overhead, docs/benchmarks.md.
              noAsyncTraces: true,
            });
            const method = natsAuthMethod(auth);
            if (method === 'none')
              logger.warn(
                'NATS: connected without credentials: whoever reaches this server can read and forge every ' +
                  'message. Fine on a developer machine; elsewhere run it with deploy/k8s/nats/nats-server.conf and ' +
                  'give each service its NATS_USER/NATS_PASSWORD (or nkey, creds file).',
              );
            else
              logger.log(
                `NATS: connected as ${method}${options.url.includes('tls://') || auth.NATS_TLS_CA_FILE ? ' over TLS' : ''}`,
              );
            // Every service that publishes or consumes events may be the first one up: each makes sure the
            // stream exists, so start-up order does not matter.
            const jsm = await jetstreamManager(nc);
            for (const stream of options.streams ?? [EVENTS_STREAM, POLICIES_STREAM, DEAD_LETTER_STREAM])
              await ensureStream(jsm, stream, streamSettings);
            return nc;
          },
        },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain().catch((err: Error) => this.logger.warn(`NATS drain: ${err.message}`));
  }
}
