module.exports = { displayName: 'analyzer', preset: '../../jest.preset.js', rootDir: __dirname };
