export const ROUTING_STATE = Symbol('ROUTING_STATE');
export const DECISION_REDIS = Symbol('DECISION_REDIS');
