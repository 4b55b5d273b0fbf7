module.exports = require('../../jest.preset.js').forProject('analytics', __dirname);
