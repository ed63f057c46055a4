/**
 * The Idempotency-Key headers (docs/contract.md §2), named once for the apps, the bench's shoppers
 * and the cart UI. Lower case: how Node and fetch's Headers hand header names over.
 */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** On an answer given from a stored receipt, with the value `true`. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
