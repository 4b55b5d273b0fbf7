module.exports = require('../../jest.preset.js').forProject('evaluation', __dirname);
