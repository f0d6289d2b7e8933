# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production dependencies only, as a non-root user.
# The product only: the simulators workspace (simulators/, the demo's `npm start`) is neither copied nor installed;
# --workspaces=false makes npm ci install the root package alone, so the lock file's workspace entry needs no folder.

FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, but the sources are not copied yet
RUN npm ci --workspaces=false --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.product.json ./
COPY src ./src
# the web console (Vite + Preact), built into dist/console/ by the same script
COPY console ./console
# src/ only (tsconfig.product.json): no simulators, tests or benchmarks in dist/
RUN npm run build:product

FROM node:20.20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --workspaces=false --ignore-scripts --no-audit --no-fund

FROM node:20.20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    GATEWAY_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# data lives outside src/: the gateway's settings, partner profiles and mappings (mount over them to change)
COPY config ./config
COPY partners ./partners
COPY mappings ./mappings
# demo and test secrets never ship in an image; config/shipped-secrets.sha256 (their hashes) stays, so production
# still refuses them; give real secrets as variables or <NAME>_FILE=/run/secrets/... (docs/operations.md, Secrets).
# The simulated legacy BSS's seed data lives in simulators/data, which is not copied (`embedded` is refused)
RUN rm -rf config/*.env && chown -R node:node /app/partners /app/mappings
USER node
# 8080: partners and the legacy BSS; 9090: /metrics, /readyz detail, operator /internal (server.adminPort)
EXPOSE 8080 9090
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM reaches node directly (exec form), which drains in-flight requests before exiting; the product's entry
CMD ["node", "dist/src/main.js"]
