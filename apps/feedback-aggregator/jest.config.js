module.exports = { displayName: 'feedback-aggregator', preset: '../../jest.preset.js', rootDir: __dirname };
