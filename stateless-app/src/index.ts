export { type AppDeps, buildApp } from './app.ts';
export { type CartClaim, claimReader, toClaim } from './cart-claim.ts';
export { loadConfig, type StatelessConfig, type TokenConfig, VARIANT } from './config.ts';
export * from './token.ts';
export * from './token-cart-holder.ts';
