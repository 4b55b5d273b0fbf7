export interface OptimizerReportEntity {
  reportId: string;
  kind: string;
  createdAt: Date;
  windowDays: number;
  /** The report body; its shape depends on `kind`. */
  body: unknown;
}
