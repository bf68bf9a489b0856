// npm run openapi: writes the API's OpenAPI document to openapi.json and the web client's types
// made from it to web/src/api/schema.d.ts (both committed; a test fails when either is stale).
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { openApiText } from "../src/server/openapi.ts";
import { webApiTypes } from "./web-types.ts";

const file = fileURLToPath(new URL("../openapi.json", import.meta.url));
const text = await openApiText();
await writeFile(file, text);
process.stdout.write(`wrote ${file}\n`);
const types = fileURLToPath(new URL("../web/src/api/schema.d.ts", import.meta.url));
await writeFile(types, await webApiTypes(text));
process.stdout.write(`wrote ${types}\n`);
