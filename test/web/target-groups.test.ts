// Target groups in Chromium: the rule builder with nested groups, the live count changing to the
// exact number, a value the server refuses shown at its leaf, saving, and the list with sizes.
import type { Locator } from "playwright-core";
import { expect, it } from "vitest";
import { useWebApp } from "./browser.ts";

const web = useWebApp();

/** The live count's words ("N reachable of M") once it is not pending, or what it says instead. */
async function liveCount(status: Locator): Promise<string | null> {
  if ((await status.getAttribute("aria-busy")) !== "false") return "pending";
  const words = status.getByText(/ reachable of /);
  return (await words.count()) === 1 ? words.textContent() : status.textContent();
}

/** Chooses `option` in the Mantine select labelled `label` inside `scope`. */
async function choose(scope: Locator, label: string, option: string): Promise<void> {
  const input = scope.getByLabel(label, { exact: true });
  await input.click();
  await input.fill(option);
  await scope.page().getByRole("option", { name: option, exact: true }).click();
}

it("builds a nested rule, counts it live, shows refusals at their leaf and field, and saves it", async () => {
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
  await expect.poll(() => liveCount(count)).toBe("300 reachable of 300");

  const rule = page.getByRole("group", { name: "Rule", exact: true });
  await rule.getByText("any of", { exact: true }).click();
  await rule.getByRole("button", { name: "Add condition", exact: true }).click();
  const first = page.getByRole("group", { name: "Condition 1", exact: true });
  await choose(first, "Field", "country");
  await first.getByRole("textbox", { name: "Value", exact: true }).fill("DE");
  await expect.poll(() => liveCount(count)).toBe("150 reachable of 150");

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
  await expect.poll(() => liveCount(count)).toBe(expected);

  // p_alive = (nothing): the server refuses the value, and says so at that leaf.
  await rule.getByRole("button", { name: "Add condition", exact: true }).click();
  const third = page.getByRole("group", { name: "Condition 3", exact: true });
  await choose(third, "Field", "p_alive");
  await expect.poll(() => third.textContent()).toContain("expected a number");
  await expect.poll(() => liveCount(count)).toBe("Cannot count: see the rule");
  await web().shot("target-group-leaf-error");
  await third.getByRole("button", { name: "Remove condition 3" }).click();
  await expect.poll(() => liveCount(count)).toBe(expected);

  // Without a name the group is not saved, and the Name field says why.
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect.poll(() => page.getByRole("alert").textContent()).toContain("not saved");
  await page.getByText("must not be empty", { exact: true }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/target-groups/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("DE and early FR");
  await page.getByRole("heading", { name: "Matching customers" }).waitFor();
  await page.getByRole("table", { name: "Matching customers" }).getByText("C000002").waitFor();
  await web().shot("target-group-builder");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.waitForURL(/\/target-groups\/\d+$/);
  await page.getByRole("heading", { name: "DE and early FR" }).waitFor();
  await page.getByText("Saved.", { exact: true }).waitFor();
  await expect.poll(() => liveCount(count)).toBe(expected);
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

it("counts behaviour, date and other-group leaves, and cancels the count it no longer needs", async () => {
  const { page, url, f } = web();
  page.setDefaultTimeout(10_000);
  await f.customers(300);
  await f.group("DE", { field: "country", op: "eq", value: "DE" });
  await web().signInAs("marketer");
  await page.goto(`${url}/target-groups/new`);
  const count = page.getByRole("status");
  const rule = page.getByRole("group", { name: "Rule", exact: true });
  await expect.poll(() => liveCount(count)).toBe("300 reachable of 300");

  await rule.getByRole("button", { name: "Add condition", exact: true }).click();
  const first = page.getByRole("group", { name: "Condition 1", exact: true });
  await choose(first, "Field", "In target group");
  await choose(first, "Target group", "DE");
  await expect.poll(() => liveCount(count)).toBe("150 reachable of 150");

  // none of [contact_key starts with …]: the count asked for C00001 is held by the network and
  // must be cancelled once the rule says C00000 instead.
  await rule.getByRole("button", { name: "Add group", exact: true }).click();
  const nested = page.getByRole("group", { name: "Group 2", exact: true });
  await nested.getByText("none of", { exact: true }).click();
  await expect.poll(() => liveCount(count)).toBe("0 reachable of 0");
  let held: (() => void) | undefined;
  const heldRequest = new Promise<void>((resolve) => {
    held = resolve;
  });
  await page.route("**/api/target-groups/count", async (route) => {
    if (route.request().postData()?.includes("C00001")) {
      held?.();
      return; // never answered: only the page's abort ends it
    }
    await route.continue();
  });
  const aborted: string[] = [];
  page.on("requestfailed", (request) => {
    if (request.url().endsWith("/api/target-groups/count")) aborted.push(request.postData() ?? "");
  });
  const prefix = page.getByRole("group", { name: "Condition 2.1", exact: true });
  await prefix.getByLabel("Value", { exact: true }).fill("C00001");
  await heldRequest;
  await expect.poll(() => page.getByLabel("Counting", { exact: true }).count()).toBe(1);
  await prefix.getByLabel("Value", { exact: true }).fill("C00000");
  // DE without C000002, C000004, C000006, C000008.
  await expect.poll(() => liveCount(count)).toBe("146 reachable of 146");
  await expect.poll(() => aborted.filter((body) => body.includes("C00001")).length).toBe(1);
  await page.unrouteAll({ behavior: "ignoreErrors" });

  await rule.getByRole("button", { name: "Add condition", exact: true }).click();
  const third = page.getByRole("group", { name: "Condition 3", exact: true });
  await choose(third, "Field", "Purchased");
  await expect.poll(() => liveCount(count)).toBe("0 reachable of 0");
  await choose(third, "Field", "Not purchased");
  await third.getByLabel("Within the last", { exact: true }).fill("90");
  await expect.poll(() => liveCount(count)).toBe("146 reachable of 146");

  await choose(third, "Field", "first_seen_on");
  await third.getByLabel("Value", { exact: true }).fill("2026-11-02");
  await expect.poll(() => liveCount(count)).toBe("0 reachable of 0");
  await third.getByLabel("Value", { exact: true }).fill("2026-11-01");
  await page.keyboard.press("Escape");
  await expect.poll(() => liveCount(count)).toBe("146 reachable of 146");
  await web().shot("target-group-behaviour");
});
