export * from './rollups/rollup';
export * from './stats/answer-stats';
export * from './stats/summarize';
export * from './review/rule-review';
export * from './report/optimizer-report';
export * from './report/report-page';
