module.exports = require('../../jest.preset.js').forProject('routing', __dirname);
