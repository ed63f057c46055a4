/**
 * What both apps (and the lab's baseline) share at the HTTP and process edge: env config, the
 * logger, the cart routes over a `CartHolder`, probes, metrics, graceful serve and `runMain`.
 */
export * from './cart-app.ts';
export type * from './cart-holder.ts';
export * from './config.ts';
export * from './graceful-serve.ts';
export * from './lifecycle.ts';
export * from './logger.ts';
export * from './metrics.ts';
export { requestIdOf } from './request-context.ts';
export * from './run-main.ts';
export * from './send-error.ts';
