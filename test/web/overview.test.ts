// The Overview page in Chromium after two model runs in which customers changed stage: the
// stacked chart of customers by stage over time, and the last 7 days' movements in words.
import { expect, it } from "vitest";
import { tempFolder } from "../helpers/files.ts";
import { stageMovesStory } from "../helpers/model.ts";
import { useWebApp } from "./browser.ts";

const web = useWebApp();
const files = tempFolder();

it("charts the customers by stage and says who moved between stages", async () => {
  const { page, f } = web();
  await stageMovesStory(f.t.app.db, files, 12);
  await web().signInAs("viewer");
  await page.getByRole("heading", { name: "Customers by stage" }).waitFor();
  const chart = page.getByRole("figure", { name: "Customers by stage over the last 90 days" });
  await chart.locator("svg.recharts-surface").first().waitFor();
  const movements = page.getByRole("region", { name: "Stage movements" });
  await expect
    .poll(() => movements.getByRole("listitem").allTextContents())
    .toEqual([
      "12 customers moved from Active to At-risk",
      "1 customer moved from Prospect to New",
    ]);
  await web().shot("overview");
});
