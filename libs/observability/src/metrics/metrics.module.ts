import { Controller, type DynamicModule, Get, Global, Header, Module, type Type } from '@nestjs/common';
import { prometheusContentType } from 'prom-client';
import { DecisionMetrics, JobMetrics, JudgeMetrics, ProviderMetrics, RecordMetrics, RequestMetrics } from './recorders';
import { ServiceMetrics } from './service-metrics';

/** Prometheus's scrape endpoint, on the service's HTTP port beside /healthz and /readyz. */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get('metrics')
  @Header('Content-Type', prometheusContentType)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.exposition();
  }
}

const RECORDERS = [DecisionMetrics, JobMetrics, JudgeMetrics, ProviderMetrics, RecordMetrics, RequestMetrics];

/**
 * The metrics of one service app, global so that any use case can inject a recorder. One per Nest app: a
 * co-located process has one per service, each with its own registry.
 */
@Global()
@Module({
  controllers: [MetricsController],
  exports: [ServiceMetrics, ...RECORDERS],
  providers: [
    ...RECORDERS,
    {
      provide: ServiceMetrics,
      useFactory: () => {
        const metrics = new ServiceMetrics();
        metrics.claimProcessMetrics();
        return metrics;
      },
    },
  ],
})
export class MetricsModule {}

@Module({})
class ServiceRootModule {}

/** A service's root module with the metrics beside it (what bootstrapService creates the app from). */
export function withMetrics(root: Type<unknown> | DynamicModule): DynamicModule {
  return { imports: [root, MetricsModule], module: ServiceRootModule };
}
