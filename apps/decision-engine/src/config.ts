import { baseEnvSchema, loadConfig, port } from '@switchyard/runtime';
import { z } from 'zod';

export const SERVICE = 'decision-engine';

export const decisionEnvSchema = baseEnvSchema.extend({
  HTTP_PORT: port(3002),
  /** The routing policy YAML. */
  POLICY_FILE: z.string().min(1).default('policies/default.yaml'),
});
export type DecisionConfig = z.infer<typeof decisionEnvSchema>;

export function loadDecisionConfig(env: NodeJS.ProcessEnv = process.env): DecisionConfig {
  return loadConfig(SERVICE, decisionEnvSchema, env);
}
