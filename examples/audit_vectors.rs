//! Audits every vector-format file given on the command line and prints all problems; a tool for
//! comparing colophon's verdicts with another implementation's on shared cases.
fn main() {
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("{path}: unreadable");
            continue;
        };
        let split = bytes.windows(2).position(|w| w == b"\n\n").map_or(0, |i| i + 2);
        let report = colophon::log::audit::audit(&bytes[split..], None);
        let problems: Vec<String> =
            report.problems.iter().map(|p| format!("{}@{}", p.code, p.line.unwrap_or(0))).collect();
        println!("{}: {}", path.rsplit('/').next().unwrap_or(&path), problems.join(" "));
    }
}
