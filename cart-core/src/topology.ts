/**
 * The one topology table: which app serves each variant, where its cart lives, how nginx routes
 * to it and which cookie carries the client's identity. nginx, compose, the lab, the bench and the
 * UI all read it; nothing restates it by hand.
 */
export const VARIANTS = ['stateful', 'stateful-redis', 'stateless'] as const;
export type Variant = (typeof VARIANTS)[number];

export type AppName = 'stateful-app' | 'stateless-app';
export type CartStoreKind = 'memory-session' | 'redis-session' | 'jwt';
export type Routing = 'sticky' | 'round-robin';

export interface VariantSpec {
  readonly variant: Variant;
  readonly app: AppName;
  readonly store: CartStoreKind;
  readonly routing: Routing;
  /** Cookie that carries the session id or the token; no `.` so nginx can read `$cookie_<name>`. */
  readonly cookieName: string;
  /** Path prefix under the load balancer; nginx strips it before the app sees the request. */
  readonly prefix: string;
  readonly needsRedis: boolean;
  readonly summary: string;
}

export const TOPOLOGY: Readonly<Record<Variant, VariantSpec>> = Object.freeze({
  stateful: Object.freeze({
    variant: 'stateful',
    app: 'stateful-app',
    store: 'memory-session',
    routing: 'sticky',
    cookieName: 'statelab_sf_sid',
    prefix: '/stateful/',
    needsRedis: false,
    summary:
      "express-session in the instance's memory; nginx keeps each session on the instance that made it",
  }),
  'stateful-redis': Object.freeze({
    variant: 'stateful-redis',
    app: 'stateful-app',
    store: 'redis-session',
    routing: 'round-robin',
    cookieName: 'statelab_sfr_sid',
    prefix: '/stateful-redis/',
    needsRedis: true,
    summary: 'express-session in Redis (connect-redis + ioredis); any instance serves any session',
  }),
  stateless: Object.freeze({
    variant: 'stateless',
    app: 'stateless-app',
    store: 'jwt',
    routing: 'round-robin',
    cookieName: 'statelab_sl_cart',
    prefix: '/stateless/',
    needsRedis: false,
    summary: 'the cart itself travels in a signed JWT held by the client; instances keep nothing',
  }),
});

export const DEFAULT_INSTANCES = 3;
/** The port an app image listens on when it is run without SOCKET_PATH (EXPOSE). */
export const CONTAINER_APP_PORT = 3000;
/** compose: the volume the apps' Unix sockets share with the load balancer, mounted here in each. */
export const CONTAINER_SOCKET_DIR = '/run/statelab';

/** compose: where instance `id` listens (its SOCKET_PATH) and nginx reaches it. */
export function containerSocketPath(id: string): string {
  return `${CONTAINER_SOCKET_DIR}/${id}.sock`;
}

export function isVariant(value: string): value is Variant {
  return (VARIANTS as readonly string[]).includes(value);
}

/** The variants one app serves, in table order: the values its VARIANT may take. */
export function variantsServedBy(app: AppName): Variant[] {
  return VARIANTS.filter((v) => TOPOLOGY[v].app === app);
}

/** The cart itself travels with the client as a signed token; the others keep it in a session. */
export function cartTravelsWithClient(variant: Variant): boolean {
  return TOPOLOGY[variant].store === 'jwt';
}

export function instanceId(variant: Variant, n: number): string {
  return `${variant}-${n}`;
}

export function instanceIds(variant: Variant, count: number): string[] {
  return Array.from({ length: count }, (_, i) => instanceId(variant, i + 1));
}

/** Splits `stateful-redis-2` into its variant and number; undefined when it is not an instance id. */
export function parseInstanceId(id: string): { variant: Variant; n: number } | undefined {
  const match = /^(.+)-([1-9][0-9]*)$/.exec(id);
  if (!match || !isVariant(match[1]!)) return undefined;
  return { variant: match[1], n: Number(match[2]) };
}

/**
 * Sticky routing without hashing (Tomcat's jvmRoute): a `stateful` session id is
 * `<random>.<instance>`, so express-session's signed cookie reads, URL-encoded,
 * `s%3A<random>.<instance>.<signature>` and nginx can route on the instance part.
 */
export function routedSessionId(random: string, instance: string): string {
  return `${random}.${instance}`;
}

/** PCRE for nginx's `map`: captures the home instance from a session cookie value. */
export const SESSION_ROUTE_PATTERN = '^s%3A[A-Za-z0-9_-]+\\.(?<route>[a-z0-9-]+)\\.';

/** The bench's ceiling, bare express behind the same nginx: not a cart variant, so not in TOPOLOGY. */
export const BASELINE_PREFIX = '/baseline/';
/** The one Redis the `needsRedis` variants share: its instance id (and compose service) everywhere. */
export const REDIS_ID = 'redis';
