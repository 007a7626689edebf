# wirety-ship on Node 24 (the runtime the test suite also runs on in .ci/run).
#   docker build -t wirety-ship .
#   docker run -i --rm -v wirety-ship-data:/var/lib/wirety-ship wirety-ship --loki http://loki:3100 < wirety.log
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
COPY config ./config
# The build also writes the validators as code (ajv standalone) into dist/: faster starts.
COPY scripts/precompile-validators.ts ./scripts/
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# XDG_STATE_HOME only moves wirety-ship's *default* state directory to /var/lib/wirety-ship (journal
# in journal/, dead letters in dead-letter.ndjson): a mounted config file's buffer.data_dir or
# dead_letter.path still wins. No WIRETY_SHIP_* variable here: those override the file.
ENV NODE_ENV=production \
    XDG_STATE_HOME=/var/lib
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json README.md ./
COPY config ./config
# --help names README.md and docs/: the image has them, as an npm install does.
COPY docs ./docs
# The journal and the dead-letter file must outlive the container: mount a volume here.
RUN mkdir -p /var/lib/wirety-ship && chown node:node /var/lib/wirety-ship
VOLUME /var/lib/wirety-ship
USER node
# Exit codes: 0 ok, 75 events left in the journal, 78 config error (see README).
# The CLI sets its own V8 heap policy at start (src/cli.ts, docs/PERFORMANCE.md "Memory versus speed").
ENTRYPOINT ["node", "dist/cli.js"]
