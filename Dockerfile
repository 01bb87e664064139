# syntax=docker/dockerfile:1
# mailops: a multi-stage build. The builder compiles the release binary (OpenSSL is vendored by git2, so no
# system TLS library is needed); the runtime image holds the binary only, and runs as a non-root user.
#
#   docker build -t ghcr.io/mailops/mailops:0.1.0 .
#   docker run --rm ghcr.io/mailops/mailops:0.1.0 --help

FROM rust:1.95-bookworm AS builder
WORKDIR /src
# Dependencies first, so that a source change does not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
 && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
 && for b in plan plan_memory; do echo 'fn main() {}' > benches/$b.rs; done \
 && cargo build --release --locked --bin mailops || true
COPY src ./src
COPY benches ./benches
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin mailops \
 && strip target/release/mailops

FROM debian:bookworm-slim AS runtime
# CA certificates for HTTPS remotes and mail servers; git-free: libgit2 is linked in.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 mailops \
 && useradd --uid 65532 --gid 65532 --home-dir /var/lib/mailops --shell /usr/sbin/nologin mailops \
 && install -d -o 65532 -g 65532 /var/lib/mailops
COPY --from=builder /src/target/release/mailops /usr/local/bin/mailops
USER 65532:65532
WORKDIR /var/lib/mailops
ENV MAILOPS_STATE_DIR=/var/lib/mailops
EXPOSE 9187
ENTRYPOINT ["/usr/local/bin/mailops"]
CMD ["operator", "--listen", "0.0.0.0:9187"]
