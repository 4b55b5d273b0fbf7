module.exports = require('../../jest.preset.js').forProject('providers', __dirname);
