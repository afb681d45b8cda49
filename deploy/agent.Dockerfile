# The PostQ agent image: the `postq` CLI without the embedded reference server
# (`--no-default-features`), run as `postq agent --one-shot` by the Helm chart.
# Build from the repository root:
#   docker build -f deploy/agent.Dockerfile -t ghcr.io/postqdev/postq-agent:0.1.0 .
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p postq-cli --no-default-features \
 && strip target/release/postq

# distroless/cc: glibc and CA certificates, no shell, no package manager; the nonroot
# variant's user is 65532, the UID the chart's securityContext pins.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/postq /usr/local/bin/postq
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/postq"]
CMD ["agent", "--one-shot"]
