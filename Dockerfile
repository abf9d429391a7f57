# syntax=docker/dockerfile:1
# firmwarden's container image. The repository runs its TypeScript directly (Node.js 26 strips
# the types), but the image runs the plain JavaScript of dist/, built here as the npm package's
# is (scripts/build.ts): a container starts with an empty compile cache, so running the sources
# would strip every module's types at each start and keep Node.js's type stripper loaded for
# the life of the process — about 15 MB more resident memory at 10,000 devices (issue 17;
# bench/controller-rss.bench.ts measures this layout). Stages: the production dependencies
# (deps), the build with all dependencies (build), and the final image with dist/, git
# (the config repository), tini (signal handling as PID 1), running as an unprivileged user.
#   docker build -t ghcr.io/firmwarden/firmwarden:0.1.0 .
#   docker run --rm ghcr.io/firmwarden/firmwarden:0.1.0 --help
# ghcr.io/firmwarden/firmwarden is the image's one name (examples/deploy/40-deployment.yaml runs
# it, overlays set the tag); push it to your own registry under another name if you like, and
# set that name in your overlay (kustomize `images:`).
# test/kube/image-layout.test.ts lays the files out the way this file does and runs them, since
# no Docker engine runs where the tests do; keep the two in step.

FROM node:26-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no production dependency needs an install script, and none should run.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM node:26-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# All dependencies: the build needs TypeScript (and @types/node, which tsconfig.json names).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY scripts/build.ts ./scripts/
COPY controller ./controller
RUN node --disable-warning=ExperimentalWarning scripts/build.ts

FROM node:26-slim
LABEL org.opencontainers.image.title="firmwarden" \
      org.opencontainers.image.description="GitOps controller that keeps a fleet of Microsoft Teams devices on the software its admins declared" \
      org.opencontainers.image.source="https://github.com/firmwarden/firmwarden" \
      org.opencontainers.image.licenses="Apache-2.0"
# git for the config repository (openssh-client for ssh remotes and SSH signatures, gpg for
# OpenPGP-signed commits); tini forwards SIGTERM so the controller can finish its status write.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client gpg tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 firmwarden \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin firmwarden
WORKDIR /app
# FIRMWARDEN_NODE_FLAGS: the V8 heap settings `firmwarden run` starts with (a small young
# generation, old space grown 50 % over the live heap, `gc` for a collection when a pass is
# over; bin/run-node-flags.mjs says why). The
# default of the command itself, written here so `docker inspect` shows it; set the variable
# to other flags to tune them, or to "" for V8's defaults.
ENV NODE_ENV=production \
    HOME=/tmp \
    FIRMWARDEN_NODE_FLAGS="--max-semi-space-size=2 --heap-growing-percent=50 --expose-gc"
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
# No controller/: bin/firmwarden.mjs runs dist/ when the sources are absent.
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
COPY crds ./crds
COPY examples ./examples
# Numeric, so Kubernetes can verify runAsNonRoot without resolving the name.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--disable-warning=ExperimentalWarning", "/app/bin/firmwarden.mjs"]
CMD ["--help"]
