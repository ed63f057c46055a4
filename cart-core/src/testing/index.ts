export * from './bad-requests.ts';
export * from './cart-contract.ts';
export * from './hostile/contract.ts';
export * from './hostile/types.ts';
export * from './raw-http.ts';
export * from './test-client.ts';
