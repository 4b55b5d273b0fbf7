import { baseEnvSchema, loadConfig, port } from '@switchyard/runtime';
import type { z } from 'zod';

export const SERVICE = 'analyzer';

export const analyzerEnvSchema = baseEnvSchema.extend({ HTTP_PORT: port(3001) });
export type AnalyzerConfig = z.infer<typeof analyzerEnvSchema>;

export const ANALYZER_CONFIG = Symbol('ANALYZER_CONFIG');

export function loadAnalyzerConfig(env: NodeJS.ProcessEnv = process.env): AnalyzerConfig {
  return loadConfig(SERVICE, analyzerEnvSchema, env);
}
