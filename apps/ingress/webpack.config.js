module.exports = require('../../tools/webpack/service.config.js')(__dirname);
