# syntax=docker/dockerfile:1
#
# One Dockerfile for all six Switchyard services. Pick the service with --build-arg APP:
#
#   docker build --build-arg APP=ingress -t switchyard/ingress .
#
# APP is one of: ingress, analyzer, decision-engine, provider-adapters, feedback-aggregator, rule-optimizer.
# The build stage does not depend on APP, so building several services reuses its cached layers.

############################
# Build: compile every app #
############################
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    NX_TUI=false

COPY package.json package-lock.json ./
# npm install, not npm ci: see scripts/install.sh (npm 11 lockfiles lack other platforms' optional packages).
RUN npm install --no-audit --no-fund

COPY . .
# Webpack bundles land in dist/apps/<app>/main.js; workspace libs are bundled, node_modules stay external.
RUN npx nx run-many -t build --projects=tag:type:app

######################################
# Runtime: production deps + bundles #
######################################
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

COPY --from=build /app/dist ./dist
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
