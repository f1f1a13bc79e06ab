// The official parsers accept docs/openapi.json (OpenAPI 3.1: @apidevtools/swagger-parser, which
// validates against the OpenAPI 3.1 JSON Schema and resolves every $ref) and docs/asyncapi.json
// (AsyncAPI 3.0: @asyncapi/parser, the AsyncAPI Initiative's own, with its spectral rules; any
// diagnostic of severity error fails, warnings are printed). Both must also refuse a broken
// document, so a parser that accepts anything cannot pass this test.
// Usage: node parse_documents.js OPENAPI.json ASYNCAPI.json
"use strict";
const fs = require("fs");
const SwaggerParser = require("@apidevtools/swagger-parser");
const { Parser } = require("@asyncapi/parser");

async function openapiProblems(doc) {
  try {
    await SwaggerParser.validate(JSON.parse(JSON.stringify(doc)));
    return null;
  } catch (e) {
    return e.message;
  }
}

async function asyncapiProblems(text) {
  const { document, diagnostics } = await new Parser().parse(text);
  const errors = diagnostics.filter((d) => d.severity === 0);
  for (const d of diagnostics.filter((d) => d.severity !== 0))
    console.log(`asyncapi note: ${d.code} ${d.message} at ${d.path.join("/")}`);
  if (!document || errors.length)
    return errors.map((d) => `${d.code} ${d.message} at ${d.path.join("/")}`).join("\n") ||
           "no document";
  return null;
}

async function main() {
  const [openapiPath, asyncapiPath] = process.argv.slice(2);
  const openapi = JSON.parse(fs.readFileSync(openapiPath, "utf8"));
  const asyncapiText = fs.readFileSync(asyncapiPath, "utf8");
  let failed = 0;
  const check = (name, problem, wantOk) => {
    const ok = problem === null;
    console.log(`${ok === wantOk ? "ok" : "FAILED"}: ${name}${problem ? ": " + problem : ""}`);
    if (ok !== wantOk) failed++;
  };
  check("OpenAPI 3.1 document", await openapiProblems(openapi), true);
  check("AsyncAPI 3.0 document", await asyncapiProblems(asyncapiText), true);
  // The same parsers on broken copies: they must refuse.
  const brokenOpenapi = JSON.parse(JSON.stringify(openapi));
  brokenOpenapi.paths["/v1/courses"].post.responses["202"] = { content: 5 };
  check("a broken OpenAPI copy is refused", await openapiProblems(brokenOpenapi), false);
  const brokenAsyncapi = JSON.parse(asyncapiText);
  brokenAsyncapi.operations.relayEvents.channel = { $ref: "#/channels/noSuchChannel" };
  check("a broken AsyncAPI copy is refused",
        await asyncapiProblems(JSON.stringify(brokenAsyncapi)), false);
  console.log(`${4 - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
