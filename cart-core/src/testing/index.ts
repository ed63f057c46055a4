export * from './cart-contract.ts';
export * from './test-client.ts';
