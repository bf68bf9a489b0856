// npm run openapi: writes the API's OpenAPI document to openapi.json (committed; the web client
// is typed from it, and a test fails when it is stale).
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { openApiText } from "../src/server/openapi.ts";

const file = fileURLToPath(new URL("../openapi.json", import.meta.url));
await writeFile(file, await openApiText());
process.stdout.write(`wrote ${file}\n`);
