/**
 * The compose project as the code sees it, derived from TOPOLOGY: service names, the app port
 * inside containers, and the nginx model the load-balancer image is built with.
 */
import {
  CONTAINER_APP_PORT,
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
/** Docker's embedded DNS server, present in every user-defined network. */
export const DOCKER_DNS = '127.0.0.11';
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
  /** Where an instance is reached; its service name by default. Tests point these at 127.0.0.1. */
  hostOf?: (id: string) => string;
  /** Docker's DNS by default; `null` renders without run-time re-resolution (for nginx < 1.27.3). */
  resolver?: string | null;
}

export function composeNginxModel(options: ComposeNginxOptions = {}): NginxModel {
  const hostOf = options.hostOf ?? ((id: string) => id);
  const resolver = options.resolver === undefined ? DOCKER_DNS : options.resolver;
  const services = appServices(options.instances);
  return {
    mode: 'compose',
    listen: { ...COMPOSE_LISTEN },
    variants: VARIANTS.map((variant) => ({
      variant,
      servers: services
        .filter((s) => s.variant === variant)
        .map((s) => ({ id: s.id, host: hostOf(s.id), port: CONTAINER_APP_PORT })),
    })),
    uiRoot: options.uiRoot ?? IMAGE_UI_ROOT,
    ...(resolver === null ? {} : { resolver }),
  };
}
