// NestJS 12 ships ES modules. Node loads them from CommonJS (require(esm), Node 20.19+), but
// Jest's module system does not before Node 24.9: under Jest, the ES modules of the packages
// jest.config.js names are compiled to CommonJS by SWC (already a dev dependency, for the specs).
// What SWC leaves to the runtime is said here: `import.meta.url` is the file's URL, and a module's
// own `require` made with createRequire(import.meta.url) is CommonJS's `require`, which Jest
// already passes to every module (declaring it again would be a syntax error).
const { transformSync } = require('@swc/core');

const OWN_REQUIRE = /^const require = createRequire\(import\.meta\.url\);$/gm;

module.exports = {
  process(source, filename) {
    if (!/\bimport\b|\bexport\b/.test(source)) return { code: source };
    const commonJsReady = source
      .replace(OWN_REQUIRE, '')
      .replace(/import\.meta\.url/g, 'require("node:url").pathToFileURL(__filename).href')
      .replace(/import\.meta\.dirname/g, '__dirname')
      .replace(/import\.meta\.filename/g, '__filename');
    const { code } = transformSync(commonJsReady, {
      filename,
      jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
      module: { type: 'commonjs', importInterop: 'node' },
      sourceMaps: false,
      swcrc: false,
      configFile: false,
    });
    return { code };
  },
};
