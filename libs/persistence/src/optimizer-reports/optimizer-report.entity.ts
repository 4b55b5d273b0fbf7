export interface OptimizerReportEntity {
  /** The report id. */
  _id?: string;
  reportId: string;
  kind: string;
  createdAt: Date;
  windowDays: number;
  /** The report body; its shape depends on `kind`. */
  body: unknown;
}
