export * from './dataset';
export * from './metrics';
export * from './dataset-policy';
export * from './curve';
export * from './evaluate';
export * from './plan-strategies';
export * from './report-html';
export * from './live';
