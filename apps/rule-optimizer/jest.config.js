module.exports = { displayName: 'rule-optimizer', preset: '../../jest.preset.js', rootDir: __dirname };
