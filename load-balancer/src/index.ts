export { errorJson, LB_ERRORS, type LbError } from './error-pages.ts';
export { UI_SECURITY_HEADERS } from './locations.ts';
export {
  type NginxModel,
  NginxModelError,
  type SocketUpstreamServer,
  type TcpUpstreamServer,
  type UpstreamServer,
  validateModel,
} from './model.ts';
export { findNginx, nginxCommand } from './nginx-binary.ts';
export { renderNginxConfig } from './render.ts';
