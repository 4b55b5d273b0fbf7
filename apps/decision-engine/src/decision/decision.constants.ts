export const ROUTING_STATE = Symbol('ROUTING_STATE');
export const TENANT_LIMITS = Symbol('TENANT_LIMITS');
export const DECISION_REDIS = Symbol('DECISION_REDIS');
export const DECISION_CONFIG = Symbol('DECISION_CONFIG');
