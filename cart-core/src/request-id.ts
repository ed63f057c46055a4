/**
 * What an `X-Request-Id` may be for the apps and nginx to echo it (docs/contract.md §2): one
 * pattern, which nginx's map is rendered from too. Anything else is replaced by a new id.
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
