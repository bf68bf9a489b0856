/**
 * The web app's API types, made from the OpenAPI document by openapi-typescript: the client in
 * web/src/api is typed by the routes' own schemas, so the two cannot drift apart.
 */
import openapiTS, { astToString } from "openapi-typescript";

/** The `paths` and `components` types of the document `openApiText`. */
export async function webApiTypes(openApiText: string): Promise<string> {
  const ast = await openapiTS(openApiText);
  return `// Made by \`npm run openapi\` from openapi.json; do not edit.\n${astToString(ast)}`;
}
