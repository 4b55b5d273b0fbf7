const { forProject, preset } = require('../../jest.preset.js');

// The OTLP exporter loads node:http with import(), which jest can run only once it is transformed into a
// require: its package (.cjs files) joins what the preset transforms.
const [ignored] = preset.transformIgnorePatterns;
const [swc] = Object.values(preset.transform);

module.exports = forProject('observability', __dirname, {
  transform: { ...preset.transform, '^.+/@opentelemetry/otlp-exporter-base/.+\\.cjs$': swc },
  transformIgnorePatterns: [ignored.replace('(?!(', '(?!(@opentelemetry/otlp-exporter-base|')],
});
