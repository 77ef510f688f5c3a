# syntax=docker/dockerfile:1
# Parley's image: `docker build -t parley .`, then
#   docker run -p 8080:8080 -e DATABASE_URL=postgres://… parley
# (without DATABASE_URL: the embedded database in /data, `-v parley-data:/data`, one process only).
# compose.yaml runs the multi-process set-up. The entrypoint is the compiled CLI, so every
# subcommand works: `docker run --rm -e DATABASE_URL=… parley keys create --customer acme`.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every dependency, then dist/ (the bundled CLI, its migrations, the PGlite template, the console)
FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run the build before the sources are here; it runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# The console (web/, Vite) is built into dist/console beside the bundle.
COPY web ./web
RUN npm run build

# ---- production dependencies only (no TypeScript, ESLint, test tools)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ---- runtime: production dependencies and dist/, run as the image's unprivileged `node` user
FROM ${NODE_IMAGE} AS runtime
# Optional speech tools, found on PATH when installed (PARLEY_ASR/PARLEY_TTS=auto or local):
# espeak-ng speaks the agent surface's voice replies, pocketsphinx transcribes calls offline.
# To add them, uncomment (an OpenAI-compatible service via PARLEY_ASR_BASE_URL /
# PARLEY_TTS_BASE_URL needs neither):
# RUN apt-get update \
#  && apt-get install -y --no-install-recommends espeak-ng pocketsphinx pocketsphinx-en-us \
#  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    PARLEY_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY package.json ./
# The code stays root-owned (read-only to the process); only the data directory is writable.
# blobs/ and spool/ exist so that volumes mounted there start owned by `node` too. Mount a volume
# on /data (or on /data/blobs, /data/spool) to keep recordings and call audio across restarts.
RUN mkdir -p /data/blobs /data/spool && chown -R node:node /data
USER node
EXPOSE 8080
# /readyz: the database answers and every migration is applied. Node's fetch: the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# dist/cli.js, not bin/parley.js: the image has no src/ for bin/'s freshness check to compare with.
ENTRYPOINT ["node", "--max-semi-space-size=32", "dist/cli.js"]
CMD ["serve"]
