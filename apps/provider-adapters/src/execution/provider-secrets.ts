import type { ModelSpec } from '@switchyard/contracts';

/**
 * API keys, read once from the environment the service started with (Kubernetes Secrets arrive as env
 * vars), looked up by the variable a model names in the policy (`apiKeyEnv`). Only variables with the
 * configured prefix are kept: whatever a policy names, no other variable (MONGODB_URI, NATS credentials)
 * can be sent to a provider. Keys are never logged.
 */
export class ProviderSecrets {
  private readonly env: ReadonlyMap<string, string>;

  constructor(env: NodeJS.ProcessEnv, keyEnvPrefix: string) {
    this.env = new Map(
      Object.entries(env).filter(
        (e): e is [string, string] => e[0].startsWith(keyEnvPrefix) && typeof e[1] === 'string' && e[1] !== '',
      ),
    );
  }

  apiKeyOf(model: ModelSpec): string | undefined {
    return model.apiKeyEnv ? this.env.get(model.apiKeyEnv) : undefined;
  }
}
