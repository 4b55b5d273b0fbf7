const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { basename, join } = require('node:path');

/**
 * The webpack config of every app: one CommonJS bundle in dist/apps/<app>/main.js, our libs inlined,
 * node_modules left external (installed beside it).
 */
module.exports = function serviceWebpackConfig(appDir) {
  return {
    output: { path: join(__dirname, '../../dist/apps', basename(appDir)) },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: false,
        sourceMap: true,
        // The same bundle either way (ts-loader only transpiles); the types are checked once for the whole tree
        // by `tsc -p tsconfig.check.json` in `npm test`, not again per app in a forked checker (119 s for the
        // seven apps cold, 40 s without).
        skipTypeChecking: true,
      }),
    ],
  };
};
