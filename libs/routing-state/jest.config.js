module.exports = require('../../jest.preset.js').forProject('routing-state', __dirname);
