module.exports = require('../../jest.preset.js').forProject('testing', __dirname);
