// The web app's frame in Chromium: sign-in (and its refusal in place), the redirect to sign-in
// and back to the page asked for, the sidebar's real links by role, deep links, sign-out.
import { expect, it } from "vitest";
import { PASSWORD } from "../helpers/server.ts";
import { useWebApp } from "./browser.ts";

const web = useWebApp();

it("sends a visitor to sign-in and back to the page asked for; says a wrong password in place", async () => {
  const { page, url, f } = web();
  await f.t.addUser("ann@example.com", "marketer");
  await page.goto(`${url}/runs`);
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/sign-in");
  await web().shot("sign-in");
  await page.getByLabel("Email", { exact: true }).fill("ann@example.com");
  await page.getByLabel("Password", { exact: true }).fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect
    .poll(() => page.getByRole("alert").textContent())
    .toContain("wrong email or password");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Nightly runs" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/runs");
  await expect.poll(() => page.getByRole("banner").textContent()).toContain("ann@example.com");
  await web().shot("runs");
});

it("shows real links by role, opens deep links, and signs out", async () => {
  const { page, url } = web();
  await web().signInAs("viewer");
  const nav = page.getByRole("navigation", { name: "Main" });
  const links = await nav
    .getByRole("link")
    .evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute("href")]));
  expect(links).toEqual([
    ["Overview", "/"],
    ["Target groups", "/target-groups"],
    ["Campaigns", "/campaigns"],
    ["Plan", "/plan"],
    ["Customers", "/customers"],
    ["Runs", "/runs"],
  ]);
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  await web().shot("overview-empty");
  await page.goto(`${url}/runs`);
  await page.getByRole("heading", { name: "Nightly runs" }).waitFor();
  await page.goBack();
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await page.goto(`${url}/`);
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/sign-in");
});

it("shows admins the Audit log and Settings links", async () => {
  const { page } = web();
  await web().signInAs("admin");
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Settings" }).waitFor();
  const links = await nav.getByRole("link").allTextContents();
  expect(links.slice(-3)).toEqual(["Runs", "Audit log", "Settings"]);
});

it("sends a user whose session expired to sign-in, and back after signing in again", async () => {
  const { page, f } = web();
  const email = await web().signInAs("marketer");
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  // The session ends on the server (expired, or signed out elsewhere).
  await f.t.app.db.kysely.deleteFrom("user_sessions").execute();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  const at = new URL(page.url());
  expect([at.pathname, at.searchParams.get("next")]).toEqual(["/sign-in", "/runs"]);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Nightly runs" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/runs");
});

it("signs in and moves through the sidebar with the keyboard alone, the focus visible", async () => {
  const { page, url, f } = web();
  await f.t.addUser("kim@example.com", "viewer");
  await page.goto(`${url}/sign-in`);
  await page.getByLabel("Email", { exact: true }).waitFor();
  await page.keyboard.press("Tab");
  await page.keyboard.type("kim@example.com");
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  // Tab to the sidebar's "Runs" link, then open it with Enter.
  let focused = "";
  for (let i = 0; i < 12 && focused !== "Runs"; i++) {
    await page.keyboard.press("Tab");
    focused = (await page.locator(":focus").textContent()) ?? "";
  }
  expect(focused).toBe("Runs");
  // The focused element's own outline, as the browser draws it (Mantine's focus ring).
  const outline = await page.locator(":focus").evaluate((element) => {
    const style = element.ownerDocument.defaultView?.getComputedStyle(element);
    return { style: style?.outlineStyle ?? "none", width: style?.outlineWidth ?? "0px" };
  });
  expect(outline.style).not.toBe("none");
  expect(outline.width).not.toBe("0px");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Nightly runs" }).waitFor();
});
