/**
 * eslint-plugin-ctxkit: type-aware rules for context hygiene.
 *
 * ```js
 * // eslint.config.mjs
 * import ctxkit from "eslint-plugin-ctxkit";
 * import tseslint from "typescript-eslint";
 * export default [
 *   { languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true } } },
 *   ctxkit.configs.recommended,
 * ];
 * ```
 */
import type { TSESLint } from "@typescript-eslint/utils";
import { recommendedRules, strictRules } from "./configs";
import { rules } from "./rules";

// Kept in step with package.json by the package test.
const name = "eslint-plugin-ctxkit";
const version = "0.1.0";

interface CtxkitPlugin {
  meta: { name: string; version: string };
  rules: typeof rules;
  configs: { recommended: TSESLint.FlatConfig.Config; strict: TSESLint.FlatConfig.Config };
}

const plugin: CtxkitPlugin = {
  meta: { name, version },
  rules,
  configs: {} as CtxkitPlugin["configs"],
};

plugin.configs.recommended = {
  name: "ctxkit/recommended",
  plugins: { ctxkit: plugin as unknown as TSESLint.FlatConfig.Plugin },
  rules: recommendedRules(),
};
plugin.configs.strict = {
  name: "ctxkit/strict",
  plugins: { ctxkit: plugin as unknown as TSESLint.FlatConfig.Plugin },
  rules: strictRules(),
};

export = plugin;
