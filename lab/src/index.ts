export { BASELINE_MAIN, buildBaselineApp } from './baseline/baseline-app.ts';
export { main } from './cli/cli.ts';
export type { CommandResult, ComposeRunner } from './compose/compose-cli.ts';
export { COMPOSE_DEFAULTS } from './compose/compose-options.ts';
export { createComposeRuntime } from './compose/compose-runtime.ts';
export { type ConnectedLab, type ConnectLabOptions, connectLab } from './compose/connect-lab.ts';
export { type FrontHandle, type FrontOptions, startFront } from './compose/front-server.ts';
export { buildControlApi, CONTROL_API_PATH } from './control/control-api.ts';
export { isLoopbackAddress } from './control/loopback.ts';
export { type LabHandle, type LabHost, startLab } from './native/lab.ts';
export { DRAIN_MODES, type DrainMode, type LabOptions } from './native/lab-options.ts';
export { processHost } from './process-host.ts';
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
