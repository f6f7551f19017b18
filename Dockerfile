# Drydock: API + console, or a worker (DRYDOCK_ROLE). Used by docker-compose.yml.
FROM node:20-bookworm-slim
RUN npm i -g pnpm@10 && apt-get update && apt-get install -y --no-install-recommends zstd ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile && pnpm --filter @drydock/web build && node scripts/build.mjs
ENV HOST=0.0.0.0 PORT=8080 DRYDOCK_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
CMD ["node", "scripts/start.mjs"]
