// Drive the verification page in a real headless Chromium (the Debian package, through playwright-core):
// open the one-time link, press "Sign with MyNearWallet" (the loopback fake wallet signs and redirects back),
// wait for the page's verdict and print it as JSON: {status, kind, mentionsKeys, buttons}.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "verify-chromium-"));
// A fresh profile directory each run (playwright passes it as --user-data-dir).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(url, { timeout: 20000 });
  const mentionsKeys = (await page.textContent("body")).includes("never sees your keys");
  const buttons = await page.locator("button").allTextContents();
  await page.click("#mnw");
  await page.waitForSelector("#status.ok, #status.error", { timeout: 20000 });
  const status = await page.textContent("#status");
  const kind = await page.getAttribute("#status", "class");
  const address = page.url();
  process.stdout.write(JSON.stringify({ status, kind, mentionsKeys, buttons, address, errors }));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
