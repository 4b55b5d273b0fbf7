module.exports = require('../../jest.preset.js').forProject('decision-engine', __dirname);
