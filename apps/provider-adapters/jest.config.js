module.exports = { displayName: 'provider-adapters', preset: '../../jest.preset.js', rootDir: __dirname };
