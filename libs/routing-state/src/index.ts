export * from './routing-state.store';
