import { type DynamicModule, Inject, Module, type OnApplicationShutdown, type Type } from '@nestjs/common';
import type { StopTracing } from './start-tracing';

const STOP_TRACING = Symbol('STOP_TRACING');

/**
 * Flushes the service's last spans when the app closes, however it is closed (its own signal handler, or the
 * co-located host stopping its services). A Nest lifecycle hook rather than a wrapper around `app.close`: the
 * app NestFactory returns is a proxy that ignores assignments. Shutdown hooks run after every
 * `beforeApplicationShutdown` (the messaging drain), so the spans of the messages in flight have ended.
 */
@Module({})
class TracedServiceModule implements OnApplicationShutdown {
  constructor(@Inject(STOP_TRACING) private readonly stop: StopTracing) {}

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }
}

/** A service's root module whose close ends its use of tracing (see startTracing). */
export function withTracing(root: Type<unknown> | DynamicModule, stop: StopTracing): DynamicModule {
  return { imports: [root], module: TracedServiceModule, providers: [{ provide: STOP_TRACING, useValue: stop }] };
}
