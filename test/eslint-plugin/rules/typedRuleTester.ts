/**
 * RuleTester under mocha with type information from the typed fixtures (test/fixtures/eslint-plugin: a strict
 * tsconfig, `ctxkit` resolvable, a few declared third-party APIs). Each case is linted as `file.ts` there.
 */
import { RuleTester } from "@typescript-eslint/rule-tester";
import * as path from "node:path";

RuleTester.afterAll = after;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export const fixtureDir = path.join(__dirname, "../../fixtures/eslint-plugin");

export function typedRuleTester(): RuleTester {
  return new RuleTester({ languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: fixtureDir } } });
}
