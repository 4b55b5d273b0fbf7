module.exports = require('../../jest.preset.js').forProject('runtime', __dirname);
