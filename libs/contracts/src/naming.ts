/**
 * Every NATS subject, stream, consumer and bucket name, derived from one namespace so a
 * test run and a running platform on the same server never see each other's messages.
 */
export const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export interface Names {
  readonly namespace: string;
  readonly eventsStream: string;
  readonly buildOutputStream: string;
  readonly logsStream: string;
  readonly routesBucket: string;
  eventSubject(type: string, appId: string): string;
  eventFilter(type: string): string;
  appEventsFilter(appId: string): string;
  buildOutputSubject(buildId: string): string;
  logSubject(appId: string): string;
  rpcSubject(service: string, name: string): string;
  durable(service: string, type: string): string;
}

export function names(namespace: string): Names {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new Error(`PAAS_NAMESPACE "${namespace}" is not valid: use 1-32 lowercase letters, digits, "-" or "_"`);
  }
  const upper = namespace.toUpperCase().replace(/-/g, '_');
  return {
    namespace,
    eventsStream: `${upper}_EVENTS`,
    buildOutputStream: `${upper}_BUILD_OUTPUT`,
    logsStream: `${upper}_LOGS`,
    routesBucket: `${upper}_ROUTES`,
    eventSubject: (type, appId) => `${namespace}.events.${type}.${appId}`,
    eventFilter: (type) => `${namespace}.events.${type}.*`,
    appEventsFilter: (appId) => `${namespace}.events.*.${appId}`,
    buildOutputSubject: (buildId) => `${namespace}.build-output.${buildId}`,
    logSubject: (appId) => `${namespace}.logs.${appId}`,
    rpcSubject: (service, name) => `${namespace}.rpc.${service}.${name}`,
    durable: (service, type) => `${service}-${type}`,
  };
}
