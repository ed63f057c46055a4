export { errorJson, LB_ERRORS, type LbError } from './error-pages.ts';
export { type NginxModel, NginxModelError, type UpstreamServer, validateModel } from './model.ts';
export { findNginx, nginxCommand } from './nginx-binary.ts';
export { renderNginxConfig } from './render.ts';
