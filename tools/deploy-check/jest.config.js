// Renders deploy/k8s with kustomize and validates it, and docker-compose.yml, with Go tools built once and cached.
module.exports = require('../../jest.preset.js').forProject('deploy-check', __dirname, { testTimeout: 60_000 });
