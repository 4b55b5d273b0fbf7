module.exports = require('../../jest.preset.js').forProject('messaging', __dirname);
