module.exports = require('../../jest.preset.js').forProject('persistence', __dirname);
