module.exports = { displayName: 'policy-store', preset: '../../jest.preset.js', rootDir: __dirname };
