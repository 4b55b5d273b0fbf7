module.exports = require('../../jest.preset.js').forProject('tenancy', __dirname);
