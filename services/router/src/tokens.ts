/** Injection tokens of the router's providers that are not classes. */
export const SETTINGS = Symbol('ROUTER_SETTINGS');
export const ROUTING_TABLE = Symbol('ROUTER_ROUTING_TABLE');
