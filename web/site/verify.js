// The verify page of a colophon site (web/site/verify.html; `colophon publish DIR --site` writes it
// to DIR/verify.html and this file to DIR/verify/verify.js). Every verdict comes from colophon's
// own core compiled to WebAssembly (web/src/lib.rs): this script only gathers the inputs, fetches
// the site's published log or a bundle, and renders the verdict JSON — the same JSON
// `colophon verify --json` prints. No verdict is decided here.

import init, * as web from "./colophon_web.js";

const $ = (id) => document.getElementById(id);
// The site's root: this script lives in DIR/verify/.
const root = new URL("../", import.meta.url);
// Requests at once when fetching a log's tiles (as the command's COLOPHON_HTTP_PARALLEL default).
const PARALLEL = 8;

// --- fetching ----------------------------------------------------------------------------------

async function fetchBytes(url) {
  const r = await fetch(url, { cache: "no-cache" });
  if (!r.ok) throw new Error(`${url}: HTTP status ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

// The published log's files, fetched once per page load: the checkpoint, then every entry bundle
// and tile it needs, PARALLEL at a time. Nothing here is trusted: verify_tiles checks it all.
let logFiles = null;
async function publishedLog() {
  if (logFiles) return logFiles;
  const checkpoint = await fetchBytes(new URL("checkpoint", root));
  const list = JSON.parse(web.tile_paths(checkpoint));
  if (!list.ok) throw new Error(`this site's checkpoint: ${list.error}`);
  const bodies = new Array(list.paths.length);
  let next = 0;
  const worker = async () => {
    while (next < list.paths.length) {
      const i = next++;
      bodies[i] = await fetchBytes(new URL(list.paths[i], root));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, list.paths.length) }, worker));
  const names = [["checkpoint", checkpoint.length], ...list.paths.map((p, i) => [p, bodies[i].length])];
  const blob = new Uint8Array(names.reduce((n, [, len]) => n + len, 0));
  let at = 0;
  for (const part of [checkpoint, ...bodies]) {
    blob.set(part, at);
    at += part.length;
  }
  logFiles = { names: JSON.stringify(names), blob };
  return logFiles;
}

// --- the copy ----------------------------------------------------------------------------------

async function copyBytes() {
  const file = $("file").files[0];
  if (file) return new Uint8Array(await file.arrayBuffer());
  const url = $("url").value.trim();
  if (url) {
    // Only this site's pages: the Content-Security-Policy allows no other origin.
    const u = new URL(url, document.baseURI);
    if (u.origin !== location.origin) throw new Error(`${url}: only pages of this site can be fetched here`);
    return fetchBytes(u);
  }
  const text = $("copy").value;
  if (!text) throw new Error("paste the text, choose a file, or give a page's address");
  return new TextEncoder().encode(text);
}

// --- rendering ---------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function signer(s) {
  if (!s) return "unknown";
  const who = `${s.name} (key ${s.key_id})`;
  if (s.trusted) {
    return s.trust_root && s.trust_root !== s.key_id ? `${who}, vouched for by ${s.trust_root_name} (${s.trust_root})` : `${who}, a trust root`;
  }
  return `${who}: not trusted — ${s.untrusted_reason || "no trust root vouches for it"}`;
}

function version(v) {
  if (!v) return "";
  const time = v.time ? `, ${v.time} (as its signer claims)` : "";
  return `${v.ref}${time}; signed by ${signer(v.signer)}`;
}

function row(dl, term, ...defs) {
  if (defs.length === 0 || defs.every((d) => d === "" || d === undefined || d === null)) return;
  dl.append(el("dt", {}, term));
  for (const d of defs) dl.append(el("dd", {}, d));
}

// Words of unchanged text kept around each change; the rest of a long unchanged run is elided
// (the verdict JSON below the page holds the whole diff).
const CONTEXT = 12;

function elide(text, first, last) {
  const w = text.split(/(\s+)/);
  const keep = CONTEXT * 2; // a word and the space after it
  if (w.length <= keep * ((first ? 0 : 1) + (last ? 0 : 1)) + keep) return text;
  const head = first ? "" : w.slice(0, keep).join("");
  const tail = last ? "" : w.slice(w.length - keep).join("");
  return `${head}${head ? " " : ""}…${tail ? " " : ""}${tail}`;
}

function diffView(diff) {
  const p = el("p", { class: "diff" });
  diff.forEach((part, i) => {
    if (part.kind === "equal") p.append(el("span", {}, elide(part.text, i === 0, i === diff.length - 1)));
    else p.append(el(part.kind === "insert" ? "ins" : "del", {}, part.text));
  });
  return p;
}

function latestView(l, superseded, mine) {
  const box = el("section", { class: "latest" });
  box.append(el("h3", {}, superseded ? `Superseded by ${l.release.ref}` : `The latest release: ${l.release.ref}`));
  const d = el("dl");
  row(d, "Released", `${l.release.time} (as its signer claims)`);
  row(d, "Released by", signer(l.release.signer));
  row(d, "Its note", l.release.note ? `“${l.release.note}” (the signer's words)` : "(none)");
  row(d, "Version", version(l.version));
  if (l.words) row(d, "Changes", `${l.words.words_added} words added, ${l.words.words_removed} removed`);
  box.append(d);
  if (l.diff) {
    box.append(el("p", {}, `What changed from ${mine ? mine.ref : "your copy's version"} (deleted) to ${l.version.ref} (inserted):`));
    box.append(diffView(l.diff));
    if (l.changes_omitted) box.append(el("p", {}, `${l.changes_omitted} more changes not shown.`));
  } else {
    box.append(el("p", {}, "No word diff: a text recorded by hash only cannot be rebuilt."));
  }
  return box;
}

function render(v) {
  const title = $("verdict-title");
  const body = $("verdict-body");
  body.replaceChildren();
  $("result").hidden = false;
  $("verdict-json").textContent = JSON.stringify(v, null, 2);
  if (v.error !== undefined) {
    title.textContent = "Could not verify";
    title.className = "bad";
    $("verdict-message").textContent = v.error;
    return;
  }
  const later = v.latest_release;
  const superseded = v.status === "release.superseded" && later;
  title.textContent = v.ok ? (superseded ? `✓ Verified — superseded by ${later.release.ref}` : "✓ Verified") : "✗ Not verified";
  title.className = v.ok ? "good" : "bad";
  $("verdict-message").textContent = v.message || "";
  // A later release (spec/verify.md §2.8) is said first: which, when, why, what changed.
  if (later) body.append(latestView(later, superseded, v.version));
  const dl = el("dl");
  row(dl, "Status", el("code", {}, v.status));
  if (v.level) row(dl, "Match", v.level === "exact" ? "exact bytes" : `equal under ${v.level}`);
  if (v.page) {
    row(dl, "The page", `also holds ${v.page.words_before} words before and ${v.page.words_after} after the signed text: site chrome, not part of the release`);
  }
  const r = v.release;
  if (r) {
    row(dl, "Release", `${r.ref}${r.time ? `, ${r.time} (as its signer claims)` : ""}`);
    if (r.note) row(dl, "Its note", `“${r.note}” (the signer's words)`);
    row(dl, "Released by", signer(r.signer));
    if (r.translation) row(dl, "Translation", version(r.translation));
    if (r.original) row(dl, "Original", version(r.original));
    if (r.cosigners && r.cosigners.length) row(dl, "Cosigned by", ...r.cosigners.map((c) => signer(c.signer || c)));
    if (r.urls && r.urls.length) {
      row(dl, "Published at", ...r.urls.map((u) => el("a", { href: u, rel: "noopener noreferrer" }, u)));
    }
  } else if (v.version) {
    row(dl, "Version", version(v.version));
  }
  if (v.other_releases && v.other_releases.length) {
    row(dl, "Also in", ...v.other_releases.map((o) => (typeof o === "string" ? o : o.ref || JSON.stringify(o))));
  }
  if (v.checkpoint) {
    const c = v.checkpoint;
    const by = (c.signed_by || []).map(([id, name]) => `${name} (${id})`).join(", ");
    row(dl, "Log", `${c.origin}, ${c.size} entries, checkpoint signed by ${by || "nobody you trust"}`);
  }
  for (const n of v.notes || []) row(dl, "Note", n);
  body.append(dl);
  const c = v.closest;
  if (c) {
    body.append(el("h3", {}, "The closest signed version"));
    const d = el("dl");
    row(d, "Version", version(c.version));
    row(d, "Similarity", `${c.similarity_percent}% of the words`);
    if (c.releases && c.releases.length) row(d, "In releases", c.releases.join(", "));
    const n = (k, one, many) => `${k} ${k === 1 ? one : many}`;
    if (c.words) row(d, "Changes", `${n(c.words.words_added, "word", "words")} added, ${c.words.words_removed} removed`);
    body.append(d);
    if (c.diff) {
      body.append(el("p", {}, "What differs (deleted from the signed text, inserted in your copy):"));
      body.append(diffView(c.diff));
      if (c.changes_omitted) body.append(el("p", {}, `${c.changes_omitted} more changes not shown.`));
    }
  }
}

// --- the page ----------------------------------------------------------------------------------

async function verify(event) {
  event.preventDefault();
  const go = $("go");
  go.disabled = true;
  $("result").setAttribute("aria-busy", "true");
  try {
    const copy = await copyBytes();
    const as = $("as").value;
    const roots = $("roots").value;
    const profile = $("profile").value;
    const source = $("source").value;
    let out;
    if (source === "log") {
      const log = await publishedLog();
      out = web.verify_tiles(copy, log.names, log.blob, roots, profile, as);
    } else {
      const bundle = await fetchBytes(new URL(source, root));
      out = web.verify_bundle(copy, bundle, roots, profile, as);
    }
    render(JSON.parse(out));
  } catch (e) {
    render({ ok: false, error: e && e.message ? e.message : String(e) });
  } finally {
    // The verdict is below the form: bring it into view and give it the focus (keyboard, screen
    // readers).
    $("verdict-title").focus();
    $("result").scrollIntoView({ block: "start" });
    go.disabled = false;
    $("result").removeAttribute("aria-busy");
  }
}

async function main() {
  await init({ module_or_path: new URL("colophon_web_bg.wasm", import.meta.url) });
  // The default trust roots: the owners' keys as this site publishes them (the page says so).
  try {
    $("roots").value = new TextDecoder().decode(await fetchBytes(new URL("owners.keyring", root)));
  } catch {
    $("roots-note").textContent = "This site publishes no owner keys: paste the key you trust.";
  }
  // Each release's bundle, when the site has them.
  try {
    const list = JSON.parse(new TextDecoder().decode(await fetchBytes(new URL("bundles/index.json", root))));
    for (const b of list) {
      $("source").append(el("option", { value: b.bundle }, `the bundle of release ${b.work}@${b.tag} only`));
    }
  } catch {
    // No bundles: the log alone.
  }
  $("form").addEventListener("submit", verify);
  $("file").addEventListener("change", () => {
    if ($("file").files[0]) $("url").value = "";
  });
  // A file dropped anywhere on the copy's fieldset is the copy.
  const drop = $("copy").closest("fieldset");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("dropping");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("dropping"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("dropping");
    if (e.dataTransfer && e.dataTransfer.files.length) {
      $("file").files = e.dataTransfer.files;
      $("url").value = "";
    }
  });
  $("loading").textContent = `Verifier ready (${web.version()}).`;
  $("form").hidden = false;
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  $("loading").textContent = `The verifier could not start: ${e && e.message ? e.message : e}`;
  $("loading").className = "bad";
});
