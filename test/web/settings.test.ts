// The Settings pages in Chromium: an admin sees the SFMC accounts, business units and apps,
// syncs the messages and sees the result, adds a user and changes its role (and is told in place
// why the last admin cannot be demoted); a viewer sees no Settings link and is refused the page.
import { expect, it } from "vitest";
import { DEMO_CLIENT } from "../../emulator/demo-tenant.ts";
import { useWebApp } from "./browser.ts";

const web = useWebApp();

it("shows an admin the SFMC settings and syncs the messages", async () => {
  const { page } = web();
  await web().signInAs("admin");
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Settings" })
    .click();
  await page.getByRole("heading", { name: "SFMC accounts" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/settings/sfmc");
  const units = page.getByRole("table", { name: /^Business units of / });
  await units.first().waitFor();
  const mids = await units
    .locator("tbody tr td:first-child")
    .evaluateAll((cells) => cells.map((c) => c.textContent));
  expect(mids).toEqual(["100", "200"]);
  const apps = page.getByRole("table", { name: "Push apps" });
  await apps.getByRole("cell", { name: "Demo Shop iOS", exact: true }).waitFor();
  await apps.getByRole("cell", { name: "Demo Shop Android", exact: true }).waitFor();
  await apps.getByRole("cell", { name: "Demo Outlet iOS", exact: true }).waitFor();
  expect(await page.content()).not.toContain(DEMO_CLIENT.clientSecret);
  // The sync's answer is held until its pending state has been seen.
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route("**/api/sfmc/sync", async (route) => {
    await held;
    await route.continue();
  });
  await page.getByRole("button", { name: "Sync messages now" }).click();
  await page.getByText("Syncing the push messages from SFMC…").waitFor();
  release();
  const result = page.getByRole("status").filter({ hasText: "Messages synced" });
  await result.waitFor();
  // The fixture synced already: a second sync finds every message as it was.
  expect(await result.textContent()).toMatch(
    /1 account read: 0 added, 0 updated, 0 marked no longer usable \(inactive or removed\), \d+ unchanged/,
  );
  await page.getByRole("button", { name: "Check connection" }).click();
  await page
    .getByRole("status")
    .filter({ hasText: "Every business unit and app answered" })
    .waitFor();
  // The fixed header stays in place in a full-page shot only from the top.
  await page.evaluate("window.scrollTo(0, 0)");
  await web().shot("settings-sfmc");
  await page.getByRole("tab", { name: "Customer attributes" }).click();
  await page.getByRole("table", { name: "Customer attributes" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/settings/attributes");
});

it("adds a user and changes its role; refuses to demote the last admin, in place", async () => {
  const { page, url } = web();
  const me = await web().signInAs("admin");
  await page.goto(`${url}/settings/users`);
  const users = page.getByRole("table", { name: "Users" });
  await users.getByRole("cell", { name: `${me} (you)` }).waitFor();
  const form = page.getByRole("form", { name: "Add a user" });
  await form.getByLabel("Email", { exact: true }).fill("new@example.com");
  await form.getByLabel("Role", { exact: true }).selectOption("viewer");
  await form.getByLabel("Password", { exact: true }).fill("short");
  await form.getByRole("button", { name: "Add user" }).click();
  await expect.poll(() => form.textContent()).toMatch(/12 characters/);
  await form.getByLabel("Password", { exact: true }).fill("a long enough password");
  await form.getByRole("button", { name: "Add user" }).click();
  await form.getByText("Added new@example.com as viewer.").waitFor();
  const role = page.getByLabel("Role of new@example.com", { exact: true });
  expect(await role.inputValue()).toBe("viewer");
  await role.selectOption("marketer");
  await expect.poll(() => role.isEnabled()).toBe(true);
  const stored = await web()
    .f.t.app.db.kysely.selectFrom("users")
    .select("role")
    .where("email", "=", "new@example.com")
    .executeTakeFirstOrThrow();
  expect(stored.role).toBe("marketer");
  const row = users.getByRole("row").filter({ hasText: "new@example.com" });
  await page.getByRole("button", { name: "Disable new@example.com", exact: true }).click();
  await row.getByText("disabled", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Enable new@example.com", exact: true }).click();
  await row.getByText("enabled", { exact: true }).waitFor();
  await page.getByLabel(`Role of ${me}`, { exact: true }).selectOption("viewer");
  await expect
    .poll(() => users.getByRole("alert").textContent())
    .toContain("is the last enabled admin");
  expect(await page.getByLabel(`Role of ${me}`, { exact: true }).inputValue()).toBe("admin");
  await web().shot("settings-users");
});

it("refuses the settings to a viewer, who sees no Settings link", async () => {
  const { page, url } = web();
  await web().signInAs("viewer");
  await page.goto(`${url}/settings`);
  const refusal = page.getByRole("alert");
  await refusal.waitFor();
  expect(await refusal.textContent()).toBe(
    "This page is for admins: you are signed in as a viewer.",
  );
  expect(await page.getByRole("navigation", { name: "Main" }).textContent()).not.toContain(
    "Settings",
  );
  await web().shot("settings-refused");
});
