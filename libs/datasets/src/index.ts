export * from './dataset-format';
export * from './replay-answer';
export * from './row-conversation';
export * from './comparable-rows';
export * from './model-ids';
