import type { INestApplication } from '@nestjs/common';
import { loadPolicyFile, policyTrustOf } from '@switchyard/policy-store';
import { bootstrapService } from '@switchyard/runtime';
import { AppModule } from './app.module';
import { SERVICE, loadAdaptersConfig } from './config';

export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadAdaptersConfig(env);
  // Refuse to start on an invalid policy, before any connection opens. This service never routes: the learned
  // level is not loaded (its module skips it too), so a file naming a stored router starts it.
  loadPolicyFile(config.POLICY_FILE, policyTrustOf(config), { learned: 'skip' });
  return bootstrapService(SERVICE, AppModule.forConfig(config, env), config);
}
