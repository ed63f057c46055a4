export * from './app.ts';
export * from './config.ts';
export * from './session-cart-holder.ts';
export * from './session-lifecycle.ts';
export * from './session-store/create-session-store.ts';
export * from './session-store/memory-store.ts';
export * from './session-store/redis-store.ts';
