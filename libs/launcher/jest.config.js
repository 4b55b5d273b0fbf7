module.exports = require('../../jest.preset.js').forProject('launcher', __dirname);
