/** A watch on a connection's traffic: touch() on every byte moved, onIdle once `ms` pass without one. */
export interface IdleWatch {
  touch(): void;
  stop(): void;
}

/**
 * Starts an idle window of `ms` (Heroku's 55 s H15 rule). A plain timer re-armed per chunk rather
 * than socket.setTimeout: node's http server uses the socket timeout for its own keep-alive needs.
 */
export function watchIdle(ms: number, onIdle: () => void): IdleWatch {
  let stopped = false;
  const timer = setTimeout(() => {
    if (stopped) return;
    stopped = true;
    onIdle();
  }, ms);
  return {
    touch: () => { if (!stopped) timer.refresh(); },
    stop: () => { stopped = true; clearTimeout(timer); },
  };
}
