# syntax=docker/dockerfile:1
# One Dockerfile, two final targets (docker-compose.yml picks them), context the repository root:
#   app            --build-arg APP=stateful-app|stateless-app   one app's bundle on Node
#   load-balancer                                               nginx with the compose config and the UI
# No secret is passed in or kept: they arrive as environment variables when the container starts.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim
# Any nginx >= 1.22 reads the rendered config (upstreams are the apps' Unix sockets: no DNS).
ARG NGINX_IMAGE=nginx:1.28.0-alpine

# The lockfile and every workspace's manifest, apart from the sources: npm ci needs all of them,
# and the install layers below are reused until a dependency changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY cart-core/package.json cart-core/
COPY processes/package.json processes/
COPY stateful-app/package.json stateful-app/
COPY stateless-app/package.json stateless-app/
COPY load-balancer/package.json load-balancer/
COPY lab/package.json lab/
COPY cart-ui/package.json cart-ui/
COPY bench/package.json bench/
COPY deploy/package.json deploy/

# Shared by both targets, so BuildKit runs it once: each app's src/main.ts bundled with the
# @statelab/* workspaces into one ES module (npm packages stay external), then the same renderer
# as native mode writes the compose nginx configuration, and the UI is built.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /app ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN node --import tsx deploy/src/main.ts bundle stateful-app \
 && node --import tsx deploy/src/main.ts bundle stateless-app
RUN node --import tsx deploy/src/main.ts nginx-conf /out/nginx.conf \
 && node --import tsx deploy/src/main.ts ui /out/ui

# Production dependencies of the one app named by APP, its bundle, nothing else; runs as the
# image's `node` user. The bundle goes to a path that does not depend on APP, so CMD stays exec-form
# (no shell to expand a variable, and Node gets SIGTERM itself); it finds its packages in the
# /app/node_modules that npm ci fills, as it would from the app's own folder.
FROM ${NODE_IMAGE} AS app
ARG APP
ENV NODE_ENV=production
WORKDIR /app
COPY --from=manifests /app ./
RUN case "$APP" in stateful-app|stateless-app) ;; *) echo "build arg APP must be stateful-app or stateless-app, got '$APP'" >&2; exit 1;; esac
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace @statelab/$APP --include-workspace-root=false --ignore-scripts --no-audit --no-fund
COPY --from=build /app/${APP}/dist/main.mjs dist/main.mjs
# compose gives each app SOCKET_PATH on the volume it shares with the load balancer; the port is
# where an app listens when run without one.
USER node
EXPOSE 3000
# Node itself, not npm: compose's `init: true` gives it SIGTERM directly, and it drains.
CMD ["node", "dist/main.mjs"]

FROM ${NGINX_IMAGE} AS load-balancer
# nginx runs as the image's unprivileged `nginx` user (Docker >= 20.10 lets any user bind port 80
# inside a container); it needs write access to its temp paths. The stock site is not used.
RUN rm -f /etc/nginx/conf.d/default.conf && chown -R nginx:nginx /var/cache/nginx
COPY --from=build /out/nginx.conf /etc/nginx/nginx.conf
COPY --from=build /out/ui /srv/statelab-ui
USER nginx
EXPOSE 80
# -e stderr: the compiled-in error log (/var/log/nginx) cannot be opened by a non-root user;
# the pid file goes to /tmp for the same reason.
CMD ["nginx", "-e", "stderr", "-g", "daemon off; pid /tmp/nginx.pid;"]
