module.exports = require('../../jest.preset.js').forProject('contracts', __dirname);
