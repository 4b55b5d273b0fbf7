module.exports = require('../../jest.preset.js').forProject('cli', __dirname);
