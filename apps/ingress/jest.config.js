module.exports = { displayName: 'ingress', preset: '../../jest.preset.js', rootDir: __dirname };
