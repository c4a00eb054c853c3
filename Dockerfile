# syntax=docker/dockerfile:1
#
# One image for every Meridian server. The server is chosen by the working
# directory: `--build-arg SERVICE=bff/web` sets the default, and
# docker-compose.yml / deploy/k8s override it per container.
#
#   docker build -t meridian:local .
#   docker run --rm -p 4201:4201 --env-file .env -w /app/subgraphs/identity meridian:local
#
# TypeScript runs directly through tsx; the only build is the web dashboard's
# bundle (apps/web, Vite), made in a stage of its own with the development
# dependencies and copied into the image, where the web BFF serves it at /.

ARG NODE_IMAGE=node:20-bookworm-slim

# Only the package manifests, so the dependency layer below is rebuilt when a
# manifest changes and not on every source edit. New workspaces are picked up
# without touching this file.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && find . -path '*/node_modules' -prune -o \( -name package.json -o -name package-lock.json \) -print \
    | xargs -I{} cp --parents {} /out/

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /out/ ./
# Development tools (TypeScript, Jest, codegen) stay out of the image; tsx is a
# runtime dependency.
RUN --mount=type=cache,target=/root/.npm \
    npm install --omit=dev --no-audit --no-fund --loglevel=error

# The web dashboard's static bundle: Vite and the UI libraries are development
# dependencies, so they stay in this stage; only apps/web/dist goes on.
FROM ${NODE_IMAGE} AS web
WORKDIR /app
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm install --no-audit --no-fund --loglevel=error
COPY . .
RUN npm run build -w apps/web

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=subgraphs/identity
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/app/.data \
    NPM_CONFIG_CACHE=/tmp/.npm \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
WORKDIR /app
COPY --from=deps /app ./
COPY . .
COPY --from=web /app/apps/web/dist ./apps/web/dist
# The code stays owned by root and read-only for the server; only DATA_DIR
# (used by the embedded mode) and the object store's mount point are writable. tsx keeps its cache under /tmp.
RUN mkdir -p /app/.data /var/lib/meridian/objects && chown 1000:1000 /app/.data /var/lib/meridian/objects
# 1000 is the `node` user of the base image; numeric so Kubernetes can check runAsNonRoot.
USER 1000:1000
EXPOSE 4000 4001 4100 4201 4202 4203 4204 4205
WORKDIR /app/${SERVICE}
# node runs the server itself (rather than `npm start`), so it is PID 1 and
# receives SIGTERM directly, and no npm process sits beside it in memory.
CMD ["node", "--import", "tsx", "src/main.ts"]
