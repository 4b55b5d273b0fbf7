module.exports = require('../../jest.preset.js').forProject('rule-optimizer', __dirname);
