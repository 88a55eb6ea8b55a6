#!/usr/bin/env node
// Runs the spec vectors (spec/vectors/README.md) through the WebAssembly build under Node:
//   ledger/*.txt  audit(bytes)         -> first problem's status and line, every problem, valid lines
//   jcs/*.txt     canonicalize(input)  -> canonical output;  check_line(input) -> rejection status
//   html/*.txt    extract_text(page)   -> recognised as a page, extracted text
// the same checks tests/vectors.rs makes with the native crate (ledger_vectors, jcs_vectors,
// html_vectors).
//
// Usage: node web/test/vectors.mjs [--pkg DIR] [--vectors DIR] [--verbose]
//   --pkg      the wasm-bindgen --target nodejs output (default web/pkg-node, made by web/build)
//   --vectors  the vector directory (default spec/vectors)
// A binding that is still the stand-in answers {"stub":true}: its vectors are counted as not checked,
// and the run fails unless COLOPHON_WEB_ALLOW_STUB=1.
// Exit status: 0 all checked vectors passed (and no stub, or stubs allowed), 1 a vector failed or a
// stub was not allowed, 2 the package or the vectors could not be read.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");

function usage(msg) {
  console.error(`vectors.mjs: ${msg}\nusage: node web/test/vectors.mjs [--pkg DIR] [--vectors DIR] [--verbose]`);
  process.exit(2);
}

let pkgDir = path.join(repo, "web/pkg-node");
let vectorsDir = path.join(repo, "spec/vectors");
let verbose = false;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--pkg" || a === "--vectors") {
    if (i + 1 >= argv.length) usage(`${a} needs a directory`);
    const d = path.resolve(argv[++i]);
    if (a === "--pkg") pkgDir = d;
    else vectorsDir = d;
  } else if (a === "--verbose" || a === "-v") verbose = true;
  else usage(`unknown argument ${a}`);
}
const allowStub = process.env.COLOPHON_WEB_ALLOW_STUB === "1";

// --- the package -----------------------------------------------------------------------------------
const entry = path.join(pkgDir, "colophon_web.js");
if (!fs.existsSync(entry)) {
  console.error(`vectors.mjs: ${entry} not found; build it first with web/build`);
  process.exit(2);
}
let web;
try {
  web = createRequire(import.meta.url)(entry);
} catch (e) {
  console.error(`vectors.mjs: loading ${entry} failed: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
}
for (const f of ["audit", "version"]) {
  if (typeof web[f] !== "function") {
    console.error(`vectors.mjs: ${entry} exports no function ${f}`);
    process.exit(2);
  }
}

// --- vector files (spec/vectors/README.md) -------------------------------------------------------
// `key: value` header lines split at the first ": ", LF only (never other Unicode line breaks),
// up to a blank line; the body is every byte after it. Mirrors parse_vector in tests/vectors.rs.
function parseVector(name, bytes) {
  const headers = new Map();
  let pos = 0;
  for (;;) {
    let end = bytes.indexOf(0x0a, pos);
    if (end < 0) end = bytes.length;
    const line = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(pos, end));
    pos = Math.min(end + 1, bytes.length);
    if (line === "") break;
    const at = line.indexOf(": ");
    if (at < 0) throw new Error(`${name}: bad header line ${JSON.stringify(line)}`);
    const k = line.slice(0, at);
    if (headers.has(k)) throw new Error(`${name}: header ${k} twice`);
    headers.set(k, line.slice(at + 2));
    if (pos >= bytes.length) break;
  }
  return { name, headers, body: bytes.subarray(pos) };
}

function readVectors(kind) {
  const dir = path.join(vectorsDir, kind);
  let names;
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith(".txt")).sort();
  } catch (e) {
    console.error(`vectors.mjs: ${dir}: ${e.message}`);
    process.exit(2);
  }
  if (names.length === 0) {
    console.error(`vectors.mjs: no vectors in ${dir}`);
    process.exit(2);
  }
  // A fresh Uint8Array per file (not a Buffer pool slice): what wasm-bindgen copies in.
  return names.map((n) => parseVector(`${kind}/${n}`, new Uint8Array(fs.readFileSync(path.join(dir, n)))));
}

// --- calling the bindings --------------------------------------------------------------------------
const STUB = Symbol("stub");

// Calls a binding that returns a JSON object as a string; STUB for the stand-in.
function call(fn, arg) {
  const out = web[fn](arg);
  if (typeof out !== "string") throw new Error(`${fn} returned ${typeof out}, not a JSON string`);
  const v = JSON.parse(out);
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`${fn} returned ${out}, not an object`);
  return v.stub === true ? STUB : v;
}

// `code@line`, or `code` for a problem of the whole file (problem_token in tests/vectors.rs).
const token = (p) => (p.line === undefined || p.line === null ? p.code : `${p.code}@${p.line}`);

// One ledger vector: returns STUB, or a list of failures (empty: passed).
function checkLedger(v) {
  const report = call("audit", v.body);
  if (report === STUB) return STUB;
  const fails = [];
  if (!Array.isArray(report.problems)) return [`audit gave no problems array: ${JSON.stringify(report)}`];
  const problems = report.problems;
  const shown = () => JSON.stringify(problems.map(token));
  if (typeof report.ok === "boolean" && report.ok !== (problems.length === 0)) {
    fails.push(`ok is ${report.ok} with ${problems.length} problems`);
  }
  const expect = v.headers.get("expect");
  if (expect === "valid") {
    if (problems.length !== 0) fails.push(`expected valid, got ${shown()}`);
  } else if (expect === "invalid") {
    const first = problems[0];
    if (!first) fails.push("expected a problem, got none");
    else {
      if (first.code !== v.headers.get("status")) {
        fails.push(`first problem ${first.code}, expected ${v.headers.get("status")}: ${shown()}`);
      }
      const want = v.headers.has("line") ? Number(v.headers.get("line")) : null;
      const got = first.line === undefined ? null : first.line;
      if (got !== want) fails.push(`first problem on line ${got}, expected ${want}: ${shown()}`);
    }
  } else {
    return [`unknown expect ${JSON.stringify(expect)}`];
  }
  if (v.headers.has("problems") && problems.map(token).join(" ") !== v.headers.get("problems")) {
    fails.push(`every problem (§11): got ${problems.map(token).join(" ")}, expected ${v.headers.get("problems")}`);
  }
  if (v.headers.has("valid-lines") && String(report.valid_entries) !== v.headers.get("valid-lines")) {
    fails.push(`valid lines (§11): got ${report.valid_entries}, expected ${v.headers.get("valid-lines")}`);
  }
  return fails;
}

// One jcs vector: `ok` vectors go through canonicalize, `reject` vectors through check_line.
function checkJcs(v) {
  const input = v.headers.get("input");
  if (input === undefined) return ["missing header input"];
  const expect = v.headers.get("expect");
  if (expect === "ok") {
    if (typeof web.canonicalize !== "function") return STUB;
    const r = call("canonicalize", input);
    if (r === STUB) return STUB;
    if (r.ok !== true) return [`canonicalize rejected it: ${JSON.stringify(r)}`];
    return r.output === v.headers.get("output") ? [] : [`got ${r.output}, expected ${v.headers.get("output")}`];
  }
  if (expect === "reject") {
    if (typeof web.check_line !== "function") return STUB;
    const r = call("check_line", new TextEncoder().encode(input));
    if (r === STUB) return STUB;
    if (r.ok !== false) return [`check_line accepted it: ${JSON.stringify(r)}`];
    return r.status === v.headers.get("status") ? [] : [`status ${r.status}, expected ${v.headers.get("status")}`];
  }
  return [`unknown expect ${JSON.stringify(expect)}`];
}

// One html vector (spec/verify.md §2.7): the page is recognised as one and its text is `output`.
function checkHtml(v) {
  if (typeof web.extract_text !== "function") return STUB;
  const r = call("extract_text", v.body);
  if (r === STUB) return STUB;
  if (v.headers.get("expect") !== "ok") return [`unknown expect ${JSON.stringify(v.headers.get("expect"))}`];
  if (r.ok !== true) return [`extract_text refused it: ${JSON.stringify(r)}`];
  if (r.html !== true) return ["not recognised as a page (§2.7.1)"];
  const want = JSON.parse(v.headers.get("output"));
  return r.text === want ? [] : [`got ${JSON.stringify(r.text)}, expected ${JSON.stringify(want)}`];
}

// --- the run ---------------------------------------------------------------------------------------
let passed = 0;
let failed = 0;
const stubbed = {};
for (const [kind, check] of [
  ["ledger", checkLedger],
  ["jcs", checkJcs],
  ["html", checkHtml],
]) {
  for (const v of readVectors(kind)) {
    let result;
    try {
      result = check(v);
    } catch (e) {
      result = [`threw: ${verbose && e && e.stack ? e.stack : e}`];
    }
    if (result === STUB) {
      stubbed[kind] = (stubbed[kind] || 0) + 1;
    } else if (result.length === 0) {
      passed++;
      if (verbose) console.log(`ok    ${v.name}`);
    } else {
      failed++;
      for (const f of result) console.log(`FAIL  ${v.name}: ${f}`);
    }
  }
}

const nStub = Object.values(stubbed).reduce((a, b) => a + b, 0);
console.log(`colophon-web ${web.version()}, ${pkgDir}`);
if (nStub > 0) {
  const parts = Object.entries(stubbed).map(([k, n]) => `${n} ${k}`).join(", ");
  console.log(`stub: ${nStub} vectors not checked (${parts}): the bindings are still the stand-in`);
  if (!allowStub) console.log("stub: not allowed; set COLOPHON_WEB_ALLOW_STUB=1 to accept a stand-in build");
}
console.log(`vectors: ${passed} passed, ${failed} failed, ${nStub} skipped`);
process.exit(failed > 0 || (nStub > 0 && !allowStub) ? 1 : 0);
