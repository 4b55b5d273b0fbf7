module.exports = { displayName: 'decision-engine', preset: '../../jest.preset.js', rootDir: __dirname };
