/**
 * The compose project as the code sees it, derived from TOPOLOGY: service names, where each app
 * listens inside its container (a Unix socket on the shared volume), and the nginx model the
 * load-balancer image is built with.
 */
import {
  containerSocketPath,
  DEFAULT_INSTANCES,
  instanceIds,
  REDIS_ID,
  VARIANTS,
  type Variant,
} from '@statelab/cart-core';
import type { NginxModel } from '@statelab/load-balancer';

/** docker-compose.yml names each service by its instance id, Redis included. */
export const REDIS_SERVICE = REDIS_ID;
export const LOAD_BALANCER_SERVICE = 'load-balancer';
/** Where the load-balancer image keeps the cart UI (outside the stock /usr/share/nginx/html). */
export const IMAGE_UI_ROOT = '/srv/statelab-ui';
export const COMPOSE_LISTEN = Object.freeze({ host: '0.0.0.0', port: 80 });

export interface AppService {
  readonly id: string;
  readonly variant: Variant;
}

/** Every app service, variant by variant, in TOPOLOGY order. */
export function appServices(instances = DEFAULT_INSTANCES): AppService[] {
  return VARIANTS.flatMap((variant) => instanceIds(variant, instances).map((id) => ({ id, variant })));
}

export interface ComposeNginxOptions {
  instances?: number;
  uiRoot?: string;
}

/**
 * Every instance on its socket in the shared volume: no address to resolve, so a recreated
 * container is found again at the same path, and a stopping one leaves by unlinking it.
 */
export function composeNginxModel(options: ComposeNginxOptions = {}): NginxModel {
  const services = appServices(options.instances);
  return {
    mode: 'compose',
    listen: { ...COMPOSE_LISTEN },
    variants: VARIANTS.map((variant) => ({
      variant,
      servers: services
        .filter((s) => s.variant === variant)
        .map((s) => ({ id: s.id, socket: containerSocketPath(s.id) })),
    })),
    uiRoot: options.uiRoot ?? IMAGE_UI_ROOT,
  };
}
