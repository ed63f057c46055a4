export { buildBaselineApp } from './baseline-app.ts';
export { EXIT, main } from './cli.ts';
export { BASELINE_PREFIX, buildControlApi, CONTROL_API_PATH } from './control-api.ts';
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
