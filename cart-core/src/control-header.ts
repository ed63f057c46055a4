/**
 * The header every state-changing control API call carries (docs/contract.md §4). A browser adds
 * no custom header to a cross-origin request without a CORS preflight, which the API never grants,
 * so a form or a script on another page cannot send a kill at all.
 */
export const CONTROL_HEADER = Object.freeze({ name: 'X-Statelab-Control', value: '1' } as const);
