export * from './policy-loader';
export * from './policy-store';
export * from './policy-store.options';
export * from './policy-watcher';
export * from './policy-store.module';
export * from './policy-trust.config';
export * from './stored-routers';
