import { Schema } from 'mongoose';
import type { TenantKeyEntity } from './tenant-key.entity';

export const TENANT_KEYS_COLLECTION = 'tenant_keys';

export const tenantKeySchema = new Schema<TenantKeyEntity>(
  {
    // The key's SHA-256 is the primary key (see routing records for why lookups go by _id here).
    _id: { required: true, type: String },
    keyId: { required: true, type: String },
    tenant: { required: true, type: String },
    name: String,
    prefix: { required: true, type: String },
    admin: Boolean,
    createdAt: { required: true, type: Date },
    revokedAt: Date,
  },
  { collection: TENANT_KEYS_COLLECTION, versionKey: false },
);

// Serves TenantKeyRepository.revoke(): by the public id people see in `switchyard keys list`.
tenantKeySchema.index({ keyId: 1 }, { unique: true });
