// Target groups in Chromium: the rule builder with nested groups, the live count changing to the
// exact number, a value the server refuses shown at its leaf, saving, and the list with sizes.
import type { Locator } from "playwright-core";
import { expect, it } from "vitest";
import { useWebApp } from "./browser.ts";

const web = useWebApp();

/** Chooses `option` in the Mantine select labelled `label` inside `scope`. */
async function choose(scope: Locator, label: string, option: string): Promise<void> {
  const input = scope.getByLabel(label, { exact: true });
  await input.click();
  await input.fill(option);
  await scope.page().getByRole("option", { name: option, exact: true }).click();
}

it("builds a nested rule, counts it live, shows a refused value at its leaf, and saves it", async () => {
  const { page, url, f } = web();
  page.setDefaultTimeout(10_000);
  // C000001…C000300: DE for even numbers, FR for odd, all with push consent, no global control.
  await f.customers(300);
  // any[country = DE, all[country = FR, contact_key starts with C00001]]: the 150 even keys and
  // the odd ones of C000010…C000019 (11, 13, 15, 17, 19).
  const expected = "155 reachable of 155";
  await web().signInAs("marketer");
  await page.goto(`${url}/target-groups`);
  await page.getByRole("button", { name: "New target group" }).click();
  await page.waitForURL(`${url}/target-groups/new`);
  const count = page.getByRole("status");
  // An empty "all of" group is every customer.
  await expect.poll(() => count.textContent()).toContain("300 reachable of 300");

  const rule = page.getByRole("group", { name: "Rule", exact: true });
  await rule.getByText("any of", { exact: true }).click();
  await rule.getByRole("button", { name: "Add condition", exact: true }).click();
  const first = page.getByRole("group", { name: "Condition 1", exact: true });
  await choose(first, "Field", "country");
  await first.getByRole("textbox", { name: "Value", exact: true }).fill("DE");
  await expect.poll(() => count.textContent()).toContain("150 reachable of 150");

  await rule.getByRole("button", { name: "Add group", exact: true }).click();
  const nested = page.getByRole("group", { name: "Group 2", exact: true });
  await nested.getByRole("button", { name: "Add condition to group 2" }).click();
  const fr = page.getByRole("group", { name: "Condition 2.1", exact: true });
  await choose(fr, "Field", "country");
  await fr.getByRole("textbox", { name: "Value", exact: true }).fill("FR");
  const prefix = page.getByRole("group", { name: "Condition 2.2", exact: true });
  await expect
    .poll(() => prefix.getByLabel("Operator", { exact: true }).inputValue())
    .toBe("starts with");
  await prefix.getByRole("textbox", { name: "Value", exact: true }).fill("C00001");
  await expect.poll(() => count.textContent()).toContain(expected);

  // p_alive = (nothing): the server refuses the value, and says so at that leaf.
  await rule.getByRole("button", { name: "Add condition", exact: true }).click();
  const third = page.getByRole("group", { name: "Condition 3", exact: true });
  await choose(third, "Field", "p_alive");
  await expect.poll(() => third.textContent()).toContain("expected a number");
  await expect.poll(() => count.textContent()).toContain("Cannot count");
  await web().shot("target-group-leaf-error");
  await third.getByRole("button", { name: "Remove condition 3" }).click();
  await expect.poll(() => count.textContent()).toContain(expected);

  await page.getByRole("textbox", { name: "Name", exact: true }).fill("DE and early FR");
  await page.getByRole("heading", { name: "Matching customers" }).waitFor();
  await page.getByRole("table", { name: "Matching customers" }).getByText("C000002").waitFor();
  await web().shot("target-group-builder");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.waitForURL(/\/target-groups\/\d+$/);
  await page.getByRole("heading", { name: "DE and early FR" }).waitFor();
  await page.getByText("Saved.", { exact: true }).waitFor();
  await expect.poll(() => count.textContent()).toContain(expected);
  await page.getByRole("heading", { name: "Size over the last 90 days" }).waitFor();
  await web().shot("target-group-saved");

  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Target groups" })
    .click();
  const row = page.getByRole("row").filter({ hasText: "DE and early FR" });
  await expect.poll(() => row.textContent()).toContain(expected);
  await web().shot("target-groups-list");
});

it("keeps a target group unsaved without a name, and says so at the field", async () => {
  const { page, url } = web();
  await web().signInAs("marketer");
  await page.goto(`${url}/target-groups/new`);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect.poll(() => page.getByRole("alert").textContent()).toContain("not saved");
  await page.getByText("must not be empty", { exact: true }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/target-groups/new");
});
