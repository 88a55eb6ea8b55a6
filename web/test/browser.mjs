#!/usr/bin/env node
// The site's verify page in a real browser (issue "A reader verifies in the browser"): the native
// `colophon` makes a ledger with a released 70-paragraph translation and publishes it with
// `publish DIR --site`; a server on 127.0.0.1 serves DIR; Debian's chromium, driven by
// playwright-core, opens DIR/verify.html and verifies a faithful copy, a re-typeset copy, a
// tampered copy, a copy under an untrusted key, a saved web page and a release's bundle. Each
// verdict shown must be the one `colophon --json verify` gives for the same inputs, and the page
// must run without a Content-Security-Policy violation or a console error. Screenshots of each
// state go to target/browser/.
//
// Usage: node web/test/browser.mjs [--colophon BINARY] [--chromium PATH]
//   needs web/build's package (web/pkg), `npm install` in web/test (playwright-core) and chromium.
// Exit status: 0 every check passed, 1 one failed, 2 something needed is missing.

import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
let colophon = path.join(repo, "target/debug/colophon");
let chromiumPath = "/usr/bin/chromium";
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--colophon" && i + 1 < argv.length) colophon = path.resolve(argv[++i]);
  else if (argv[i] === "--chromium" && i + 1 < argv.length) chromiumPath = argv[++i];
  else {
    console.error(`browser.mjs: unknown argument ${argv[i]}`);
    process.exit(2);
  }
}
const missing = (what, fix) => {
  console.error(`browser.mjs: ${what} is missing (${fix})`);
  process.exit(2);
};
if (!fs.existsSync(colophon)) missing(colophon, "cargo build");
if (!fs.existsSync(chromiumPath)) missing(chromiumPath, "apt-get install chromium");
if (!fs.existsSync(path.join(repo, "web/pkg/colophon_web_bg.wasm"))) missing("web/pkg", "web/build");
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch {
  missing("playwright-core", "npm install --prefix web/test");
}
const artifacts = path.join(repo, "target/browser");
fs.mkdirSync(artifacts, { recursive: true });

// --- the ledger and the site, made with the native command -------------------------------------
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "colophon-browser-"));
const env = {
  ...process.env,
  COLOPHON_CACHE: path.join(dir, ".cache"),
  XDG_CONFIG_HOME: path.join(dir, ".config"),
  COLOPHON_WEB_PKG: path.join(repo, "web/pkg"),
};
delete env.COLOPHON_KEY;
const run = (...args) => spawnSync(colophon, args, { cwd: dir, env, encoding: "utf8" });
const ok = (...args) => {
  const r = run(...args);
  if (r.status !== 0) {
    console.error(`browser.mjs: colophon ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
    process.exit(2);
  }
  return r;
};
const write = (name, text) => fs.writeFileSync(path.join(dir, name), text);

// A 70-paragraph translation (the size the issue asks the time to verdict for), and its original.
const words = ("the bridge river morning grandmother market stone winter voice rain newspaper town square bell " +
  "tower baker window street light evening harbour boat fisher net salt wind hill olive garden wall").split(" ");
let seed = 1947;
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const sentence = () => {
  const s = Array.from({ length: 8 + rand(8) }, () => words[rand(words.length)]).join(" ");
  return s[0].toUpperCase() + s.slice(1) + ".";
};
const paras = Array.from({ length: 70 }, () => Array.from({ length: 4 + rand(3) }, sentence).join(" "));
paras[12] = "The bridge was built in 1847 and closed in 2019.";
const EN = `The Stone Bridge of Cortà\n\n${paras.join("\n\n")}\n`;
const IT = `Il ponte di pietra di Cortà\n\n${paras.map((p) => p.toUpperCase()).join("\n\n")}\n`;
for (const [name, prefix] of [["Olga Bianchi", "olga"], ["Tina Rossi", "tina"], ["Mal", "mal"]]) {
  ok("keygen", "--name", name, "-o", prefix, "--unencrypted");
}
ok("init", "--origin", "example.org/translations", "--key", "olga.key");
ok("key", "add", "tina.pub", "--role", "translator", "--key", "olga.key");
write("it.txt", IT);
write("en.txt", EN);
ok("record", "it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key");
ok("record", "en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key");
ok("release", "--work", "ponte", "--tag", "v1", "--url", "https://blog.example/ponte", "--key", "tina.key");
ok("publish", "site", "--key", "olga.key", "--site");
write("retyped.txt", EN.replace(/\n/g, "\r\n").replace(/ \n/g, "\n"));
write("reflowed.txt", EN.split("\n\n").map((p) => p.replace(/\. /g, ".\n")).join("\n\n"));
write("tampered.txt", EN.replace("1847", "1848"));
const page = `<!doctype html><html lang="en"><head><title>Blog</title></head><body>
<header><a href="/">A Translator's Blog</a></header><nav><a href="/">Home</a></nav>
<article><h1>The Stone Bridge of Cort&agrave;</h1>${paras.map((p) => `<p>${p}</p>`).join("\n")}</article>
<footer>&copy; 2026</footer></body></html>`;
write("page.html", page);
fs.mkdirSync(path.join(dir, "site/posts"), { recursive: true });
fs.writeFileSync(path.join(dir, "site/posts/ponte.html"), page);

// --- a static server for the site --------------------------------------------------------------
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".json": "application/json",
};
const siteDir = path.join(dir, "site");
const server = http.createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const file = path.join(siteDir, rel.endsWith("/") ? `${rel}index.html` : rel);
  if (!file.startsWith(siteDir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404).end("not found");
    return;
  }
  res.writeHead(200, { "Content-Type": types[path.extname(file)] || "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}/`;

// --- the browser -------------------------------------------------------------------------------
let failed = 0;
const check = (cond, what) => {
  if (cond) console.log(`ok   ${what}`);
  else {
    failed++;
    console.log(`FAIL ${what}`);
  }
};
const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
const problems = [];
const context = await browser.newContext();
const tab = await context.newPage();
tab.on("console", (m) => {
  // A failed request is reported by its URL below; the browser's own favicon request is no error.
  if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
});
tab.on("response", (r) => {
  if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) problems.push(`HTTP ${r.status()}: ${r.url()}`);
});
tab.on("pageerror", (e) => problems.push(`page error: ${e.message}`));

const t0 = Date.now();
await tab.goto(`${base}verify.html`);
await tab.waitForSelector("body[data-ready=true]", { timeout: 20000 });
const ready = Date.now() - t0;
await tab.screenshot({ path: path.join(artifacts, "0-ready.png"), fullPage: true });
check(
  await tab.evaluate(() => [...document.querySelectorAll("input, textarea, select")].every((e) => e.labels.length > 0)),
  "every input has a label",
);
const shownRoots = await tab.inputValue("#roots");
check(shownRoots.trim() === fs.readFileSync(path.join(dir, "olga.pub"), "utf8").trim() || shownRoots.includes("Olga"),
  "the default trust roots are the owner's key as the site publishes it");

// The CLI's verdict, as the page's JSON shows it (without what only a command knows).
function cli(copy, source, trust, extra = []) {
  const r = run("--json", "verify", copy, ...source, "--trust", trust, ...extra);
  const v = JSON.parse(r.stdout);
  delete v.command;
  delete v.source;
  return v;
}

async function verifyIn(name, { paste, file, drop, url, roots, source, as }) {
  await tab.fill("#copy", paste ?? "");
  await tab.setInputFiles("#file", file ? path.join(dir, file) : []);
  if (drop) {
    // A file dropped on the copy's fieldset, as a reader drags one from the desktop.
    await tab.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], "dropped.txt", { type: "text/plain" }));
      const target = document.getElementById("copy").closest("fieldset");
      target.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, drop);
  }
  await tab.fill("#url", url ?? "");
  await tab.fill("#roots", roots ?? shownRoots);
  await tab.selectOption("#source", source ?? "log");
  await tab.selectOption("#as", as ?? "");
  await tab.evaluate(() => {
    document.getElementById("verdict-json").textContent = "";
  });
  const start = Date.now();
  await tab.click("#go");
  await tab.waitForFunction(() => document.getElementById("verdict-json").textContent !== "", null, { timeout: 30000 });
  const took = Date.now() - start;
  await tab.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  const json = JSON.parse(await tab.textContent("#verdict-json"));
  const title = await tab.textContent("#verdict-title");
  return { json, title, took };
}

const tiles = ["--tiles", siteDir];
const faithful = await verifyIn("1-faithful", { paste: EN });
check(faithful.title.includes("Verified") && faithful.json.status === "copy.verified", `a faithful copy: ${faithful.json.status}`);
check(isDeepStrictEqual(faithful.json, cli("en.txt", tiles, "olga.pub")), "  the same verdict as colophon verify --json --tiles");
check(
  (await tab.textContent("#verdict-body")).includes("ponte:it@1") && (await tab.textContent("#verdict-body")).includes("Tina Rossi"),
  "  the page names the original and the signer",
);

const retyped = await verifyIn("2-retyped", { paste: fs.readFileSync(path.join(dir, "reflowed.txt"), "utf8") });
check(retyped.json.ok === true && retyped.json.level === "words/v2", `a re-typeset copy: ${retyped.json.status} at ${retyped.json.level}`);
check(isDeepStrictEqual(retyped.json, cli("reflowed.txt", tiles, "olga.pub")), "  the same verdict as the command");

const tampered = await verifyIn("3-tampered", { paste: EN.replace("1847", "1848") });
const body = await tab.innerHTML("#verdict-body");
check(tampered.title.includes("Not verified") && tampered.json.status === "copy.mismatch", `a tampered copy: ${tampered.json.status}`);
check(body.includes("<del>1847") && body.includes("<ins>1848"), "  the diff shows the changed number");
check(isDeepStrictEqual(tampered.json, cli("tampered.txt", tiles, "olga.pub")), "  the same verdict as the command");

const mal = fs.readFileSync(path.join(dir, "mal.pub"), "utf8");
const untrusted = await verifyIn("4-untrusted", { paste: EN, roots: mal });
check(untrusted.json.status === "trust.untrusted" && !untrusted.json.ok, `trusting another key: ${untrusted.json.status}`);
check(isDeepStrictEqual(untrusted.json, cli("en.txt", tiles, "mal.pub")), "  the same verdict as the command");

const saved = await verifyIn("5-saved-page", { file: "page.html" });
check(saved.json.ok === true && saved.json.page !== undefined, `a saved web page: ${saved.json.status}, ${JSON.stringify(saved.json.page)}`);
check(isDeepStrictEqual(saved.json, cli("page.html", tiles, "olga.pub")), "  the same verdict as the command");

const dropped = await verifyIn("5b-dropped-file", { drop: EN.replace("1847", "1848") });
check(dropped.json.status === "copy.mismatch", `a dropped file (tampered): ${dropped.json.status}`);

const fetched = await verifyIn("6-same-origin-url", { url: "posts/ponte.html" });
check(fetched.json.ok === true, `a page of this site by its address: ${fetched.json.status}`);

const bundles = JSON.parse(fs.readFileSync(path.join(siteDir, "bundles/index.json"), "utf8"));
const bundle = await verifyIn("7-bundle", { paste: EN, source: bundles[0].bundle });
check(bundle.json.status === "copy.verified", `against the release's bundle: ${bundle.json.status}`);
check(isDeepStrictEqual(bundle.json, cli("en.txt", ["--bundle", path.join(siteDir, bundles[0].bundle)], "olga.pub")),
  "  the same verdict as colophon verify --bundle");

// The same page in the dark scheme, for a look at its contrast.
await verifyIn("8-tampered-dark", { paste: EN.replace("1847", "1848") });
await tab.emulateMedia({ colorScheme: "dark" });
await tab.screenshot({ path: path.join(artifacts, "8-tampered-dark.png"), fullPage: true });

check(problems.length === 0, `no console error or CSP violation${problems.length ? `: ${problems.join("; ")}` : ""}`);
console.log(`time: verifier ready ${ready} ms after loading the page; a 70-paragraph copy verified in ${faithful.took} ms (the log fetched), ${tampered.took} ms once fetched`);
console.log(`screenshots: ${artifacts}`);

await browser.close();
server.close();
fs.rmSync(dir, { recursive: true, force: true });
console.log(`browser: ${failed ? `${failed} failed` : "every check passed"}`);
process.exit(failed ? 1 : 0);
