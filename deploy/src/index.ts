export {
  APPS,
  type AppName,
  BUNDLE_PATH,
  type BundleResult,
  bundleApp,
  isAppName,
  packageName,
} from './bundle-app.ts';
export { main, USAGE } from './cli.ts';
export {
  type AppService,
  appServices,
  COMPOSE_LISTEN,
  type ComposeNginxOptions,
  composeNginxModel,
  IMAGE_UI_ROOT,
  LOAD_BALANCER_SERVICE,
  REDIS_SERVICE,
} from './compose-topology.ts';
