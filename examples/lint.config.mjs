// Lints the showcase in examples/src/lint (code with context bugs on purpose) with every ctxkit rule.
// Used by `npm run demo` and the plugin's CLI tests: `npx eslint -c examples/lint.config.mjs examples/src/lint`.
// Not named eslint.config.mjs, so no ESLint run over the repo picks it up by itself.
import ctxkit from "eslint-plugin-ctxkit";
import tseslint from "typescript-eslint";

export default [
  {
    files: ["examples/src/lint/**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "off" },
  },
  { ...ctxkit.configs.strict, files: ["examples/src/lint/**/*.ts"] },
];
