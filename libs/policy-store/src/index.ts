export * from './policy-store';
