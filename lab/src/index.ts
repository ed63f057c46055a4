export { buildBaselineApp } from './baseline-app.ts';
export { main } from './cli.ts';
export type { CommandResult, ComposeRunner } from './compose-cli.ts';
export { COMPOSE_DEFAULTS } from './compose-options.ts';
export { createComposeRuntime } from './compose-runtime.ts';
export { type ConnectedLab, type ConnectLabOptions, connectLab } from './connect-lab.ts';
export { BASELINE_PREFIX, buildControlApi, CONTROL_API_PATH } from './control-api.ts';
export { type FrontHandle, type FrontOptions, startFront } from './front-server.ts';
export { type LabHandle, startLab } from './lab.ts';
export type { LabOptions } from './lab-options.ts';
export { isLoopbackAddress } from './loopback.ts';
export {
  InstanceFailedError,
  type InstanceInfo,
  type InstanceKind,
  type InstanceState,
  RUNTIME_ACTIONS,
  type Runtime,
  type RuntimeAction,
  RuntimeClosedError,
  UnknownInstanceError,
} from './runtime.ts';
