import type { INestApplication } from '@nestjs/common';
import { bootstrapService } from '@switchyard/runtime';
import { AppModule } from './app.module';
import { SERVICE, loadIngressConfig } from './config';

export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadIngressConfig(env);
  return bootstrapService(SERVICE, AppModule.forConfig(config), config, {
    // Ingress reads bodies itself: its own size limit, and errors in the API's shape.
    bodyParser: false,
  });
}
