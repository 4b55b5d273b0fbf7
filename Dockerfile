# syntax=docker/dockerfile:1
#
# One Dockerfile for all six Switchyard services. Pick the service with --build-arg APP:
#
#   docker build --build-arg APP=ingress -t switchyard/ingress .
#
# APP is one of: ingress, analyzer, decision-engine, provider-adapters, feedback-aggregator, rule-optimizer (or
# cli). The build stage does not depend on APP, so building several services reuses its cached layers.
#
# Node 22 LTS, pinned to one patch release in both stages, so a rebuild is the same image: bump both together
# (tools/deploy-check's spec checks they agree). package.json's engines.node stays >=20.19 for development.

############################
# Build: compile every app #
############################
FROM node:22.23.3-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    NX_TUI=false

COPY package.json package-lock.json ./
# Exactly the lockfile's versions; npm ci refuses a lockfile out of step with package.json (scripts/test.sh's
# lockfile step checks the committed pair).
RUN npm ci --no-audit --no-fund

COPY . .
# Webpack bundles land in dist/apps/<app>/main.js; workspace libs are bundled, node_modules stay external.
RUN npx nx run-many -t build --projects=tag:type:app

######################################
# Runtime: production deps + bundles #
######################################
FROM node:22.23.3-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY --from=build /app/dist ./dist
# The policies the image starts with; Kubernetes mounts the switchyard-policy ConfigMap over this directory and
# Docker Compose the repository's policies/ (POLICY_FILE picks the file). Learned routers are not files here:
# decision-engine fetches them from the model store in MongoDB (docs/learning.md).
COPY policies ./policies

ARG APP
# Fail the build early when APP is missing or names no built app.
RUN test -n "$APP" && test -f "dist/apps/$APP/main.js" \
    || { echo "build with --build-arg APP=<one of: $(ls dist/apps | tr '\n' ' ')>" >&2; exit 1; }

ENV APP=$APP \
    HTTP_HOST=0.0.0.0 \
    POLICY_FILE=/app/policies/default.yaml

# The node user (uid 1000) comes with the base image; the app files stay root-owned and read-only to it.
USER node

CMD ["sh", "-c", "exec node dist/apps/$APP/main.js"]
