module.exports = require('../../jest.preset.js').forProject('policy-store', __dirname);
