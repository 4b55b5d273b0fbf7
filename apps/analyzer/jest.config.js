module.exports = require('../../jest.preset.js').forProject('analyzer', __dirname);
