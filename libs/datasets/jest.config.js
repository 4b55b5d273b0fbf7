module.exports = require('../../jest.preset.js').forProject('datasets', __dirname);
