//! Writing files colophon creates beside a ledger or in a published directory.

/// Writes a file meant for others to read (a checkpoint, a bundle, a proof, a published tile, a
/// text shown with `-o`) atomically: a temporary file in the same directory, synced, renamed into
/// place. Its mode is 0666 less the umask, like any file a program creates: only secret keys are
/// private (spec/cli.md §1), and a web server running as another user must be able to serve
/// what `publish` writes. The rename replaces a symbolic link at `path` instead of writing
/// through it.
pub fn write_file_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".colophon-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    tmp.write_all(bytes).and_then(|()| tmp.as_file().sync_all()).map_err(|e| format!("{}: {e}", path.display()))?;
    tmp.persist(path).map_err(|e| format!("{}: {}", path.display(), e.error))?;
    Ok(())
}
