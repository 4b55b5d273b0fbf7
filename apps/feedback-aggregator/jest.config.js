module.exports = require('../../jest.preset.js').forProject('feedback-aggregator', __dirname);
