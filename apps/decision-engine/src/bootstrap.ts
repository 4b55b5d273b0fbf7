import type { INestApplication } from '@nestjs/common';
import { loadPolicyFile, policyTrustOf } from '@switchyard/policy-store';
import { bootstrapService } from '@switchyard/runtime';
import { AppModule } from './app.module';
import { SERVICE, loadDecisionConfig } from './config';

export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadDecisionConfig(env);
  loadPolicyFile(config.POLICY_FILE, policyTrustOf(config)); // refuse to start on an invalid policy, before any connection opens
  return bootstrapService(SERVICE, AppModule.forConfig(config), config);
}
