import { Inject, Injectable } from '@nestjs/common';
import type { Connection, Model } from 'mongoose';
import { MONGO_CONNECTION } from '../persistence.constants';
import { generateTenantKey, hashTenantKey } from './tenant-key';
import type { TenantKeyEntity } from './tenant-key.entity';
import { TENANT_KEYS_COLLECTION, tenantKeySchema } from './tenant-key.schema';

/** Whom a key in force belongs to. */
export interface KeyHolder {
  tenant: string;
  admin: boolean;
}

/** A key as listings show it: everything but its hash. */
export type TenantKeyInfo = Omit<TenantKeyEntity, '_id'>;

@Injectable()
export class TenantKeyRepository {
  private readonly model: Model<TenantKeyEntity>;

  constructor(@Inject(MONGO_CONNECTION) connection: Connection) {
    this.model = connection.model<TenantKeyEntity>(TENANT_KEYS_COLLECTION, tenantKeySchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  /** Creates a key for the tenant; the returned `key` exists nowhere else and cannot be recovered. */
  async create(
    tenant: string,
    name?: string,
    options: { admin?: boolean; now?: Date } = {},
  ): Promise<{ key: string; info: TenantKeyInfo }> {
    const { key, keyId, prefix } = generateTenantKey();
    const info: TenantKeyInfo = { keyId, tenant, prefix, createdAt: options.now ?? new Date() };
    if (name !== undefined) info.name = name;
    if (options.admin) info.admin = true;
    await this.model.create({ ...info, _id: hashTenantKey(key) });
    return { key, info };
  }

  async list(tenant?: string): Promise<TenantKeyInfo[]> {
    return this.model
      .find(tenant === undefined ? {} : { tenant }, { _id: 0 })
      .sort({ createdAt: 1 })
      .lean<TenantKeyInfo[]>()
      .exec();
  }

  /** Revokes a key by its public id; false when there is no such key or it was revoked already. */
  async revoke(keyId: string, now = new Date()): Promise<TenantKeyInfo | undefined> {
    const found = await this.model.findOne({ keyId }).lean<TenantKeyEntity>().exec();
    if (!found || found.revokedAt) return undefined;
    await this.model.updateOne({ _id: found._id }, { $set: { revokedAt: now } });
    const { _id: _hash, ...info } = found;
    return { ...info, revokedAt: now };
  }

  /** Hash -> holder of every key in force: what requests are checked against. */
  async activeHashes(): Promise<Map<string, KeyHolder>> {
    const rows = await this.model
      .find({ revokedAt: { $exists: false } }, { _id: 1, tenant: 1, admin: 1 })
      .lean<Array<{ _id: string; tenant: string; admin?: boolean }>>()
      .exec();
    return new Map(rows.map((r) => [r._id, { tenant: r.tenant, admin: r.admin === true }]));
  }
}
