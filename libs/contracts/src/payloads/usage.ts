import { z } from 'zod';

export const usageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** True when the provider reported no usage and the figures are estimates. */
  estimated: z.boolean(),
});

export type Usage = z.infer<typeof usageSchema>;

export const latencySchema = z.object({
  /** From ingress receiving the request to the answer being ready. */
  totalMs: z.number().nonnegative(),
  /** Analysis plus decision, before the provider was called. */
  routingMs: z.number().nonnegative(),
  providerMs: z.number().nonnegative(),
});

export type Latency = z.infer<typeof latencySchema>;
