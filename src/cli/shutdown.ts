import type { Logger } from '../logger.js';

/**
 * Aborts the returned signal on the first SIGINT or SIGTERM, so long-running commands can stop
 * their work and close cleanly; a second signal exits at once (130 for SIGINT, 143 for SIGTERM)
 * for an operator who does not want to wait. `dispose()` removes the handlers.
 */
export function shutdownSignal(logger: Logger): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn({ signal: sig }, 'second signal: exiting without waiting');
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    logger.info({ signal: sig }, `received ${sig}: stopping (send it again to exit at once)`);
    controller.abort(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
