export * from './decision/decide-route';
export * from './decision/match-rule';
export * from './features/difficulty';
export * from './features/extract-features';
export * from './features/keyword-matcher';
export * from './policy/compile-policy';
export * from './policy/policy-error';
export * from './policy/policy.schema';
