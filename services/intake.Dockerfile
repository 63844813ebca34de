# The three intake services (order 8081, study 8082, report 8083): FHIR R4 intake published to Kafka.
# One file, the service named by build arguments. Build from the repository root:
#   docker build -f services/intake.Dockerfile --build-arg SERVICE=order-service --build-arg PORT=8081 \
#     -t oncoimg/order-service .
# Node runs the TypeScript sources as they are (type stripping): there is no compile step.

FROM node:24.21.0-bookworm-slim AS deps
ARG SERVICE
WORKDIR /app
# Only the manifests of the workspaces the intake services run on (the same for all three). With the
# other workspaces absent, npm ci installs their production dependencies and nothing the tests
# workspace pulls in (testcontainers, vitest). Scripts stay off: no production dependency needs an
# install script.
COPY package.json package-lock.json .npmrc ./
COPY packages/auth/package.json packages/auth/
COPY packages/fhir-events/package.json packages/fhir-events/
COPY packages/fhir-http/package.json packages/fhir-http/
COPY packages/intake/package.json packages/intake/
COPY packages/kafka/package.json packages/kafka/
COPY packages/service-runtime/package.json packages/service-runtime/
COPY packages/store/package.json packages/store/
COPY packages/telemetry/package.json packages/telemetry/
COPY services/${SERVICE}/package.json services/${SERVICE}/
RUN npm ci --workspace services/${SERVICE} --omit=dev --ignore-scripts

FROM node:24.21.0-bookworm-slim
ARG SERVICE
ARG PORT
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=${PORT} \
    SERVICE=${SERVICE}
WORKDIR /app
COPY --from=deps /app ./
COPY packages/auth/src packages/auth/src
COPY packages/fhir-events/src packages/fhir-events/src
COPY packages/fhir-http/src packages/fhir-http/src
COPY packages/intake/src packages/intake/src
COPY packages/kafka/src packages/kafka/src
COPY packages/service-runtime/src packages/service-runtime/src
COPY packages/store/src packages/store/src
COPY packages/telemetry/src packages/telemetry/src
COPY services/${SERVICE}/src services/${SERVICE}/src
# Without DATABASE_URL the service keeps PGlite files in .data/, which user node must own.
RUN mkdir .data && chown node:node .data
USER node
EXPOSE ${PORT}
# Liveness only: readiness (Kafka and database reachable) is /readyz, which compose checks.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# CMD does not expand build arguments: the shell expands SERVICE, and exec leaves node as PID 1 so
# it receives SIGTERM itself.
CMD ["sh", "-c", "exec node services/${SERVICE}/src/main.ts"]
