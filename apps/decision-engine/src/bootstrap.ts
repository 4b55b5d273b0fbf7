import type { INestApplication } from '@nestjs/common';
import { loadPolicyFile, policyTrustOf } from '@switchyard/policy-store';
import { bootstrapService } from '@switchyard/runtime';
import { AppModule } from './app.module';
import { SERVICE, loadDecisionConfig } from './config';

export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadDecisionConfig(env);
  // Refuse to start on an invalid policy before any connection opens. A router it names in the model store is
  // fetched (and checked) when the application starts, before it takes a request.
  loadPolicyFile(config.POLICY_FILE, policyTrustOf(config), { stored: 'unchecked' });
  return bootstrapService(SERVICE, AppModule.forConfig(config), config);
}
