export interface FeedbackEntity {
  /** `<tenant>:<feedback id>`: feedback ids are the callers', unique only within a tenant. */
  _id?: string;
  feedbackId: string;
  requestId: string;
  tenant: string;
  rating?: number;
  success?: boolean;
  comment?: string;
  submittedAt: Date;
}
