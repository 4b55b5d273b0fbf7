export interface FeedbackEntity {
  /** The feedback id. */
  _id?: string;
  feedbackId: string;
  requestId: string;
  tenant: string;
  rating?: number;
  success?: boolean;
  comment?: string;
  submittedAt: Date;
}
