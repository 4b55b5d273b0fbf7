export * from './tenancy.module';
export * from './tenancy.options';
export * from './tenant-authenticator';
export * from './tenant-key-cache';
