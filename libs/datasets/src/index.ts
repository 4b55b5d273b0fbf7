export * from './dataset-format';
export * from './replay-answer';
