import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION } from './messaging.constants';

/** Readiness of NATS: connected, and a round trip to the server completes. */
@Injectable()
export class NatsHealthIndicator {
  readonly name = 'nats';
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}
  async check(): Promise<void> {
    if (this.nc.isClosed()) throw new Error('connection closed');
    await this.nc.flush();
  }
}
