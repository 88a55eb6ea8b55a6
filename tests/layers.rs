//! The layers of ARCHITECTURE.md hold: a module uses only its own layer and the layers below it
//! (format → log → verify → store), and no two modules import each other, directly or around a
//! circle. Read from the source, so a new import that breaks the layering fails here, by name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const LAYERS: [&str; 4] = ["format", "log", "verify", "store"];

fn layer(module: &str) -> usize {
    let top = module.split("::").next().unwrap_or_default();
    LAYERS.iter().position(|l| *l == top).unwrap_or_else(|| panic!("{module} is in no layer"))
}

/// Every `.rs` file under `dir`, as (module path, source).
fn modules(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("entry").path();
        let name = p.file_stem().expect("stem").to_string_lossy().to_string();
        if p.is_dir() {
            modules(&p, &format!("{prefix}::{name}"), out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let m = if name == "mod" { prefix.to_string() } else { format!("{prefix}::{name}") };
            out.push((m, std::fs::read_to_string(&p).expect("read module")));
        }
    }
}

/// The modules `src` refers to as `crate::LAYER::MODULE`, outside comments.
fn imports(src: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in src.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let path: Vec<&str> = rest
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or_default()
                .split("::")
                .collect();
            if path.len() >= 2
                && LAYERS.contains(&path[0])
                && path[1].chars().all(|c| c.is_ascii_lowercase() || c == '_')
            {
                out.insert(format!("{}::{}", path[0], path[1]));
            }
        }
    }
    out
}

#[test]
fn no_layer_imports_from_a_higher_one_and_no_modules_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    for l in LAYERS {
        modules(&src.join(l), l, &mut all);
    }
    assert!(all.len() > 20, "found only {} modules under src/", all.len());
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut upward = Vec::new();
    for (m, text) in &all {
        for to in imports(text) {
            // A module and its own children (`log::index` and `log::index::audit_state`) are one unit.
            if *m == to || m.starts_with(&format!("{to}::")) || to.starts_with(&format!("{m}::")) {
                continue;
            }
            if layer(&to) > layer(m) {
                upward.push(format!("{m} imports {to}"));
            }
            edges.entry(m.clone()).or_default().insert(to);
        }
    }
    assert!(upward.is_empty(), "a lower layer imports a higher one: {upward:?}");
    // A circle of imports: a depth-first search that meets a module on its own path.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut circle = path[i..].to_vec();
            circle.push(m.to_string());
            return Some(circle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for to in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(to, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in edges.keys() {
        if let Some(circle) = visit(m, &edges, &mut Vec::new(), &mut done) {
            panic!("an import circle: {}", circle.join(" → "));
        }
    }
}

#[test]
fn the_check_sees_an_upward_import() {
    // The reader of imports is what the layering rests on: it must see a plain one.
    let found = imports("use crate::store::ledger::LedgerFile;\n// crate::verify::copy in a comment\n");
    assert_eq!(found.into_iter().collect::<Vec<_>>(), vec!["store::ledger".to_string()]);
}

/// The pure core (format, log, verify: ARCHITECTURE.md) reaches no file, environment, process or
/// network: it builds for the browser, and the site renderer (`verify::site`) and every verdict
/// take their input as values. Unit tests (after `#[cfg(test)]`) may read files.
#[test]
fn the_pure_core_names_no_file_environment_process_or_network_api() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    for l in &LAYERS[..3] {
        modules(&src.join(l), l, &mut all);
    }
    let names: BTreeSet<&str> = all.iter().map(|(m, _)| m.as_str()).collect();
    assert!(names.contains("verify::site"), "the site renderer is not in the pure core: {names:?}");
    let mut found = Vec::new();
    for (m, text) in &all {
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for api in ["std::fs", "std::env", "std::process", "std::net", "std::thread", "SystemTime"] {
                if line.contains(api) {
                    found.push(format!("{m}: {api}: {}", line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "the pure core reaches outside itself: {found:#?}");
}
