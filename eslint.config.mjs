// The repo lints itself with its own plugin (built into eslint-plugin/dist by `npm run build`).
import ctxkit from "eslint-plugin-ctxkit";
import tseslint from "typescript-eslint";

export default [
  { ignores: ["**/dist/**", "**/node_modules/**", "test/**", "bench/**", "**/scripts/**", "eslint.config.mjs",
    // The lint showcase has findings on purpose; `npm run demo` lints it with examples/lint.config.mjs.
    "examples/src/lint/**", "examples/lint.config.mjs"] },
  {
    files: ["runtime/src/**/*.ts", "eslint-plugin/src/**/*.ts", "examples/src/**/*.ts", "server/src/**/*.ts", "extension/src/**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  ctxkit.configs.strict,
];
