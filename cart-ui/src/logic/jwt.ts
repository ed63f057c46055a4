/**
 * Reads a JWT's header and payload for display. The page never verifies a token: the instances do,
 * with a secret the browser never sees. The token comes from `X-Cart-Token`, as the cookie is HttpOnly.
 */
export interface DecodedToken {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** Size on the wire; every request carries it in the cookie. */
  readonly bytes: number;
  readonly issuedAt?: Date;
  readonly expiresAt?: Date;
}

/** base64url (no padding) to the UTF-8 text it encodes; throws on characters outside the alphabet. */
export function decodeBase64Url(segment: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw new Error('not base64url');
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function jsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(decodeBase64Url(segment));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function secondsToDate(value: unknown): Date | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : undefined;
}

/** Header and claims of a compact JWS; undefined when the text is not one. */
export function decodeJwt(token: string): DecodedToken | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = jsonObject(parts[0]!);
  const payload = jsonObject(parts[1]!);
  if (!header || !payload) return undefined;
  const issuedAt = secondsToDate(payload.iat);
  const expiresAt = secondsToDate(payload.exp);
  return {
    header,
    payload,
    bytes: new TextEncoder().encode(token).length,
    ...(issuedAt ? { issuedAt } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  };
}
