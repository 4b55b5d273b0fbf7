/** A tenant's API key, as stored: its hash, never the key. */
export interface TenantKeyEntity {
  /** SHA-256 of the key, hex: the lookup on every request is by primary key. */
  _id?: string;
  /** Public id, for listing and revoking (`tk_…`). */
  keyId: string;
  tenant: string;
  /** What the key is for, as its creator said. */
  name?: string;
  /** The key's first characters, so a person can tell keys apart; too short to use. */
  prefix: string;
  /** May read what spans tenants (optimizer reports, stats of every tenant). */
  admin?: boolean;
  createdAt: Date;
  revokedAt?: Date;
}
