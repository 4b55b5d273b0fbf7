import type { Attempt, Decision, Features, Latency, RouterErrorBody, Usage } from '@switchyard/contracts';

export interface FeedbackSummary {
  feedbackId: string;
  rating?: number;
  success?: boolean;
  comment?: string;
  submittedAt: Date;
}

/** One document per request: what was asked, how it was routed, what it cost, how it went. */
export interface RoutingRecordEntity {
  /** `<tenant>:<request id>` (recordKey): request ids are the callers', so only with the tenant are they unique. */
  _id?: string;
  requestId: string;
  tenant: string;
  user?: string;
  status?: 'succeeded' | 'failed';
  receivedAt?: Date;
  completedAt?: Date;
  prompt?: string;
  /**
   * The conversation before the routed message (`contextText`), when there was one: kept, and removed,
   * with `prompt` (RECORD_PROMPTS, PROMPT_RETENTION_DAYS).
   */
  context?: string;
  taskHint?: string;
  features?: Features;
  decision?: Decision;
  /** Decision fields copied to the top level for indexing and grouping. */
  rule?: string;
  method?: Decision['method'];
  model?: string;
  provider?: string;
  usage?: Usage;
  costUsd?: number;
  latency?: Latency;
  attempts?: Attempt[];
  stage?: string;
  error?: RouterErrorBody;
  feedback?: FeedbackSummary;
  /**
   * A quality label other than the caller's feedback (which, when given, is trusted first): a judge model's
   * grade, or for replayed traffic the dataset's recorded score; with where it came from and when.
   */
  label?: RecordLabel;
}

/** A record's label other than feedback; a judge's carries the grading model and what grading cost. */
export interface RecordLabel {
  quality: number;
  source: 'judge' | 'dataset';
  at: Date;
  /** source `judge`: the model that graded the answer, its grade 1-10, and the US dollars grading cost. */
  judgeModel?: string;
  grade?: number;
  costUsd?: number;
}
