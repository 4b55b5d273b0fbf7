/** A published routing policy, kept for audit and rollback. */
export interface PolicyVersionEntity {
  /** The policy version. */
  _id?: string;
  version: string;
  yaml: string;
  publishedAt: Date;
  publishedBy?: string;
}
