// A stand-in for web/pkg-node that answers audit() with the native binary (`colophon audit --json`),
// to check the vector runner's comparisons against the real output shape before the core is
// built for wasm:  node web/test/vectors.mjs --pkg web/test/native
// The binary is $COLOPHON_BIN, else target/debug/colophon (cargo build). The CLI has no command
// for canonicalize and check_line, so those stay stubs here.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const bin = process.env.COLOPHON_BIN || path.resolve(__dirname, "../../../target/debug/colophon");
if (!fs.existsSync(bin)) throw new Error(`${bin} not found: run cargo build, or set COLOPHON_BIN`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "colophon-web-native-"));
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));

// No keyring, as tests/vectors.rs audits: the environment's COLOPHON_TRUST, LEDGER are dropped.
const env = { ...process.env };
delete env.COLOPHON_TRUST;
delete env.COLOPHON_LEDGER;

function run(args) {
  const r = spawnSync(bin, args, { encoding: "utf8", env });
  if (r.error) throw r.error;
  return r;
}

exports.audit = function (ledger) {
  const file = path.join(dir, "ledger.jsonl");
  fs.writeFileSync(file, ledger);
  // Exit 1 is an audit with problems; only exit 2 (usage or input error) is not an answer.
  const r = run(["audit", "--json", "--ledger", file]);
  if (r.status !== 0 && r.status !== 1) throw new Error(`colophon audit exited ${r.status}: ${r.stdout}${r.stderr}`);
  return r.stdout;
};
exports.canonicalize = () => JSON.stringify({ stub: true });
exports.check_line = () => JSON.stringify({ stub: true });
exports.version = () => run(["--version"]).stdout.trim();
