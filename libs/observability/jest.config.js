module.exports = require('../../jest.preset.js').forProject('observability', __dirname);
