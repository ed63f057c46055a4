/**
 * The domain, safe for the browser: catalog, pure cart operations, limits, schemas, the topology
 * table, the error catalog, the exit codes and the control API's request header. Nothing here
 * imports express, pino or prom-client; the express pieces are `@statelab/cart-core/http`.
 */
export * from './cart.ts';
export * from './catalog.ts';
export * from './control-header.ts';
export * from './errors.ts';
export * from './exit-codes.ts';
export * from './idempotency-headers.ts';
export * from './limits.ts';
export * from './request-id.ts';
export * from './schemas.ts';
export * from './topology.ts';
