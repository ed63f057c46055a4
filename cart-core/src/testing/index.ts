export * from './bad-requests.ts';
export * from './cart-contract.ts';
export * from './test-client.ts';
