export interface FeedbackEntity {
  feedbackId: string;
  requestId: string;
  tenant: string;
  rating?: number;
  success?: boolean;
  comment?: string;
  submittedAt: Date;
}
