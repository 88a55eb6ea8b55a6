#!/usr/bin/env node
// The browser's verdict is the command's (issue "One verifier"): a ledger, a release, a bundle and
// a published log are made with the native `colophon`, then every copy is verified twice, by
// `colophon --json verify COPY --bundle B|--tiles DIR --trust K` and by the WebAssembly build's
// `verify_bundle(copy, bundle, keyring, profile, as)` or `verify_tiles(copy, names, blob, keyring,
// profile, as)`, and the two JSON verdicts must be equal (the CLI adds only `command` and `source`, and
// names the file of a refused bundle in its message).
//
// Usage: node web/test/verdict.mjs [--pkg DIR] [--colophon BINARY]
//   --pkg       the wasm-bindgen --target nodejs output (default web/pkg-node, made by web/build)
//   --colophon  the native binary (default target/debug/colophon, made by cargo test / cargo build)
// Exit status: 0 every verdict agreed, 1 one differed, 2 the package or the binary is missing.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
let pkgDir = path.join(repo, "web/pkg-node");
let colophon = path.join(repo, "target/debug/colophon");
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--pkg" && i + 1 < argv.length) pkgDir = path.resolve(argv[++i]);
  else if (argv[i] === "--colophon" && i + 1 < argv.length) colophon = path.resolve(argv[++i]);
  else {
    console.error(`verdict.mjs: unknown argument ${argv[i]}`);
    process.exit(2);
  }
}
const entry = path.join(pkgDir, "colophon_web.js");
for (const [what, p] of [["the package", entry], ["the native binary", colophon]]) {
  if (!fs.existsSync(p)) {
    console.error(`verdict.mjs: ${what} ${p} not found (web/build; cargo build)`);
    process.exit(2);
  }
}
const web = createRequire(import.meta.url)(entry);

// A scratch directory with its own configuration and cache, as the integration tests use.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "colophon-web-verdict-"));
const env = { ...process.env, COLOPHON_CACHE: path.join(dir, ".cache"), XDG_CONFIG_HOME: path.join(dir, ".config") };
delete env.COLOPHON_KEY;
const run = (...args) => spawnSync(colophon, args, { cwd: dir, env, encoding: "utf8" });
const ok = (...args) => {
  const r = run(...args);
  if (r.status !== 0) {
    console.error(`verdict.mjs: colophon ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
    process.exit(2);
  }
};
const write = (name, text) => fs.writeFileSync(path.join(dir, name), text);

const IT = "Il ponte di pietra.\nOgni mattina mia nonna attraversava il ponte.\n";
const EN = "The stone bridge.\nEvery morning my grandmother crossed the bridge.\n";
for (const [name, prefix] of [["Olga", "olga"], ["Tina", "tina"], ["Mal", "mal"]]) {
  ok("keygen", "--name", name, "-o", prefix, "--unencrypted");
}
ok("init", "--origin", "example.org/web-verdict", "--key", "olga.key");
ok("key", "add", "tina.pub", "--role", "translator", "--key", "olga.key");
write("it.txt", IT);
write("en.txt", EN);
ok("record", "it.txt", "--work", "w", "--lang", "it", "--key", "tina.key");
ok("record", "en.txt", "--work", "w", "--lang", "en", "--of", "w:it", "--key", "tina.key");
ok("release", "w@v1", "--key", "tina.key");
ok("checkpoint", "--key", "olga.key", "-o", "cp");
ok("bundle", "w@v1", "-o", "anchored.bundle");
write("retyped.txt", EN.replace(/\n/g, "\r\n"));
write("reflowed.txt", "The stone bridge. Every morning\nmy grandmother crossed the bridge.\n");
write("tampered.txt", EN.replace("morning", "evening"));
write("empty.txt", "");
// A bundle whose one entry was changed: the bundle itself is refused.
const bundle = fs.readFileSync(path.join(dir, "anchored.bundle"), "utf8");
write("forged.bundle", bundle.replace("Tina", "Tinx"));
// The published log (spec/transparency.md §7), and one whose tiles were tampered with.
ok("publish", "pub", "--key", "olga.key");
fs.cpSync(path.join(dir, "pub"), path.join(dir, "badpub"), { recursive: true });
{
  // The one (partial) entry bundle of this small log, one byte of its last line changed.
  const d = path.join(dir, "badpub/tile/colophon-entries/000.p");
  const p = path.join(d, fs.readdirSync(d)[0]);
  const b = fs.readFileSync(p);
  b[b.length - 3] ^= 1;
  fs.writeFileSync(p, b);
}

// What a page does with a published log: fetch its checkpoint, then every file tile_paths names,
// and hand them over in one blob.
function tilesArgs(pub) {
  const read = (rel) => fs.readFileSync(path.join(dir, pub, rel));
  const checkpoint = read("checkpoint");
  const list = JSON.parse(web.tile_paths(checkpoint));
  if (!list.ok) throw new Error(`tile_paths: ${list.error}`);
  const names = [["checkpoint", checkpoint.length]];
  const parts = [checkpoint];
  for (const p of list.paths) {
    const b = read(p);
    names.push([p, b.length]);
    parts.push(b);
  }
  return [JSON.stringify(names), Buffer.concat(parts)];
}

const cases = [];
for (const copy of ["en.txt", "retyped.txt", "reflowed.txt", "tampered.txt", "empty.txt", "it.txt"]) {
  for (const trust of ["olga.pub", "mal.pub"]) {
    for (const profile of ["", "exact", "text/v1"]) cases.push({ copy, bundle: "anchored.bundle", trust, profile });
  }
}
cases.push({ copy: "en.txt", bundle: "forged.bundle", trust: "olga.pub", profile: "" });
for (const copy of ["en.txt", "retyped.txt", "tampered.txt", "it.txt"]) {
  for (const trust of ["olga.pub", "mal.pub"]) cases.push({ copy, tiles: "pub", trust, profile: "" });
}
cases.push({ copy: "en.txt", tiles: "pub", trust: "olga.pub", profile: "words/v2" });
cases.push({ copy: "en.txt", tiles: "badpub", trust: "olga.pub", profile: "" });

let failed = 0;
for (const c of cases) {
  const source = c.tiles ? ["--tiles", c.tiles] : ["--bundle", c.bundle];
  const args = ["--json", "verify", c.copy, ...source, "--trust", c.trust];
  if (c.profile) args.push("--profile", c.profile);
  const r = run(...args);
  let cli;
  try {
    cli = JSON.parse(r.stdout);
  } catch {
    console.error(`verdict.mjs: colophon ${args.join(" ")} printed no JSON (${r.status}): ${r.stderr}`);
    failed++;
    continue;
  }
  const read = (n) => fs.readFileSync(path.join(dir, n));
  const keyring = read(c.trust).toString("utf8");
  const wasm = JSON.parse(
    c.tiles
      ? web.verify_tiles(read(c.copy), ...tilesArgs(c.tiles), keyring, c.profile, "")
      : web.verify_bundle(read(c.copy), read(c.bundle), keyring, c.profile, ""),
  );
  const label = `${c.copy} ${source.join(" ")} --trust ${c.trust}${c.profile ? ` --profile ${c.profile}` : ""}`;
  // Bad input is refused by both (the command exits 2 with `error`; the binding answers `error`),
  // each naming it its own way (the command names the file).
  const refused = r.status === 2 && typeof cli.error === "string" && wasm.ok === false && typeof wasm.error === "string";
  // Tiles that do not hold what their checkpoint signs: both refuse them, with the same status.
  const badTiles =
    r.status === 1 && cli.status === "proof.inclusion" && wasm.ok === false && wasm.status === "proof.inclusion";
  // The command names the file a refused bundle came from; the verdict itself does not.
  if (typeof cli.message === "string" && c.bundle) cli.message = cli.message.replace(`${c.bundle}: `, "");
  delete cli.command;
  delete cli.source;
  if (refused || badTiles || isDeepStrictEqual(cli, wasm)) {
    console.log(`ok   ${label}: ${cli.status} (exit ${r.status})`);
  } else {
    failed++;
    console.log(`FAIL ${label}\n  colophon: ${JSON.stringify(cli)}\n  wasm:     ${JSON.stringify(wasm)}`);
  }
}
fs.rmSync(dir, { recursive: true, force: true });
console.log(`verdicts: ${cases.length - failed} agree, ${failed} differ`);
process.exit(failed ? 1 : 0);
