# Production image of the API (serving the web app when it has been built into web/dist).
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev libssl-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock clippy.toml ./
COPY api api
COPY tests tests
COPY migrations migrations
COPY examples examples
RUN cargo build --release --locked -p portal-api

FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY web/ ./
COPY openapi /openapi
RUN if [ -f package.json ]; then npm ci && npm run build; else mkdir -p dist; fi

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-0 libssl3 ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/portal portal && mkdir -p /var/lib/portal && chown portal /var/lib/portal
COPY --from=build /src/target/release/portal /usr/local/bin/portal
COPY --from=web /web/dist /usr/share/portal/web
USER portal
WORKDIR /var/lib/portal
ENV PORTAL_BIND=0.0.0.0:8080 PORTAL_DATA_DIR=/var/lib/portal PORTAL_WEB_DIR=/usr/share/portal/web PORTAL_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --retries=3 CMD ["portal", "healthcheck"]
ENTRYPOINT ["portal"]
CMD ["serve"]
