import { z } from 'zod';
import { tenantSchema } from '../lib/identity';

/** `router.tenant-keys.changed.v1`: says which key changed, never the key. */
export const tenantKeysChangedSchema = z.object({
  tenant: tenantSchema,
  keyId: z.string().min(1),
  change: z.enum(['created', 'revoked']),
  at: z.number().int().nonnegative(),
});

export type TenantKeysChanged = z.infer<typeof tenantKeysChangedSchema>;
