module.exports = require('../../jest.preset.js').forProject('provider-adapters', __dirname);
