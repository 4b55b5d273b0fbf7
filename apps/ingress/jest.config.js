module.exports = require('../../jest.preset.js').forProject('ingress', __dirname);
