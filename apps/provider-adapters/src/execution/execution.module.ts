import { type DynamicModule, Module } from '@nestjs/common';
import { SimulatedAdapter } from '@switchyard/providers';
import { ADAPTERS_CONFIG, type AdaptersConfig } from '../config';
import { PROVIDER_ADAPTERS } from './execution.constants';
import { ExecutePlan } from './execute-plan.usecase';
import { ExecutionController } from './execution.controller';

@Module({})
export class ExecutionModule {
  static forConfig(config: AdaptersConfig): DynamicModule {
    return {
      controllers: [ExecutionController],
      module: ExecutionModule,
      providers: [
        ExecutePlan,
        { provide: ADAPTERS_CONFIG, useValue: config },
        {
          provide: PROVIDER_ADAPTERS,
          useFactory: () => [new SimulatedAdapter({ latencyMs: config.SIMULATED_LATENCY_MS })],
        },
      ],
    };
  }
}
