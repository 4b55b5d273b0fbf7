import type { INestApplication } from '@nestjs/common';
import { bootstrapService } from '@switchyard/runtime';
import { AppModule } from './app.module';
import { SERVICE, loadAggregatorConfig } from './config';

export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadAggregatorConfig(env);
  return bootstrapService(SERVICE, AppModule.forConfig(config), config);
}
