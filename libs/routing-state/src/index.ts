export * from './routing-state.store';
export * from './tenant-limits.store';
