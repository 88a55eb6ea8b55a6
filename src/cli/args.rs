//! The command line: every subcommand, its arguments and help (spec/cli.md §2).

use super::*;

pub(super) const AFTER_HELP: &str = "\
Journeys:
  translator  keygen, init, key add, record, release          (sign)
  reader      verify COPY --bundle FILE --trust KEYS          (verify)
  archivist   audit, log, show, diff                          (audit)

Try `colophon demo` for all three on sample texts. Exit codes: 0 ok, 1 verification failed,
2 usage or input error. The format is specified in spec/ledger.md.";

/// A provenance ledger for translated publications: signed, hash-chained versions and releases.
#[derive(Parser, Debug)]
#[command(name = "colophon", version, about, after_help = AFTER_HELP, max_term_width = 100)]
pub(super) struct Cli {
    #[command(flatten)]
    pub(super) global: Global,
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Args, Debug, Clone)]
pub(super) struct Global {
    /// The ledger file.
    #[arg(long, global = true, env = "COLOPHON_LEDGER", default_value = "colophon.jsonl", value_name = "PATH")]
    pub(super) ledger: PathBuf,
    /// Print machine-readable JSON on stdout (format: spec/cli-json.md).
    #[arg(long, global = true)]
    pub(super) json: bool,
    /// Print only errors and verdicts.
    #[arg(long, short, global = true)]
    pub(super) quiet: bool,
}

#[derive(Subcommand, Debug)]
pub(super) enum Command {
    /// Create a signing key pair: PREFIX.key (secret, mode 0600) and PREFIX.pub.
    #[command(
        after_help = "Example:\n  colophon keygen --name \"Tina Rossi\"            (your default key)\n  colophon keygen --name \"Tina Rossi\" -o tina\n\n\
The passphrase comes from COLOPHON_PASSPHRASE, or is asked twice on the terminal."
    )]
    Keygen {
        /// Your name as readers will see it.
        #[arg(long)]
        name: String,
        /// Path prefix of the two files (default: your default key, in the colophon directory
        /// under your configuration directory).
        #[arg(long, short, alias = "out", value_name = "PREFIX")]
        output: Option<PathBuf>,
        /// Store the secret key without a passphrase (for tests and demos only).
        #[arg(long)]
        unencrypted: bool,
    },
    /// Create a new ledger owned by KEY.
    #[command(after_help = "Example:\n  colophon init --origin example.org/translations --key olga.key")]
    Init {
        /// The ledger's name, a schema-less URL such as example.org/translations.
        #[arg(long)]
        origin: String,
        /// The owner's secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "OWNER.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
        /// Check everything as the real run would and print the entry it would append; write
        /// nothing (spec/cli.md §3).
        #[arg(long)]
        dry_run: bool,
    },
    /// Register, revoke and list signing keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Record a new version of an original or a translation.
    #[command(after_help = "Examples:\n  colophon record mare.it.txt --work winter-sea --lang it --key tina.key\n  \
colophon record sea.en.txt --work winter-sea --lang en --of winter-sea:it --key tina.key\n  \
colophon record sea.en.txt --work winter-sea --lang en --note \"Fixed line 3\" --key tina.key\n\n\
  colophon record --work winter-sea --lang en --of winter-sea:it@2 --key tina.key   (re-pair)\n\n\
The parent is the latest version of WORK in LANG. A correction of a translation renders the same\n\
original as the version before it unless --of says otherwise. Without FILE, the latest version's\n\
text is recorded again, re-paired with the original --of names (a corrected original whose\n\
translation needs no change).")]
    Record(RecordArgs),
    /// Sign a release: a translation version and the original version it renders.
    #[command(
        after_help = "Example:\n  colophon release winter-sea@v1 --key tina.key --write-bundle winter-sea-v1.bundle\n\n\
--translation defaults to the latest translation of the work, --original to the version it renders."
    )]
    Release(ReleaseArgs),
    /// Countersign a release with a second key (e.g. an editor's).
    #[command(after_help = "Example:\n  colophon cosign winter-sea@v1 --key edo.key")]
    Cosign {
        /// The release (REF, e.g. winter-sea@v1).
        release: String,
        /// A note.
        #[arg(long)]
        note: Option<String>,
        /// Your secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "KEY.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
        /// Check everything as the real run would and print the entry it would append; write
        /// nothing (spec/cli.md §3).
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a reader's bundle: everything needed to verify a release offline, in one file.
    #[command(after_help = "Example:\n  colophon bundle winter-sea@v1 -o winter-sea-v1.bundle\n\n\
The bundle carries the full text of the released translation only; earlier versions (drafts) and\n\
the original are present as their signed hashes (spec/verify.md §3.2).")]
    Bundle {
        /// The release (REF).
        release: String,
        /// Output file (default: stdout).
        #[arg(long, short, alias = "out", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also carry every earlier version of the translation (their diff scripts).
        #[arg(long)]
        with_drafts: bool,
        /// Also carry the original: its versions' scripts and the released original's text.
        #[arg(long)]
        with_original: bool,
    },
    /// Check a copy of a text against the signed releases.
    #[command(after_help = "Examples:\n  colophon verify copy.txt --bundle winter-sea-v1.bundle --trust olga.pub\n  \
colophon verify copy.txt --trust keys.txt            (against the ledger)\n  \
colophon verify copy.txt --profile exact --trust keys.txt\n\n\
Exit 0 when the copy matches a signed release by a trusted key (also when a later release\n\
supersedes it: the output says so first, with what changed); 1 otherwise, with the closest\n\
signed version and a word diff when nothing matches.")]
    Verify {
        /// The copy to check.
        copy: PathBuf,
        /// Verify against this bundle instead of the ledger.
        #[arg(long, value_name = "FILE")]
        bundle: Option<PathBuf>,
        /// Trusted keys: a keyring (see keys.example) or a .pub file; repeatable.
        #[arg(long, value_name = "KEYRING", env = "COLOPHON_TRUST", value_delimiter = ':')]
        trust: Vec<PathBuf>,
        /// The loosest match accepted: exact, text/v1 or words/v2 (default: words/v2, i.e. any).
        #[arg(long, value_name = "PROFILE", default_value = "words/v2", value_parser = profile_values())]
        profile: String,
        /// A checkpoint of this log you saw before: the bundle's must be consistent with it.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// A consistency proof (from `colophon prove consistency`) between that checkpoint and the bundle's.
        #[arg(long, value_name = "FILE", requires = "checkpoint")]
        consistency: Option<PathBuf>,
        /// Verify against a published tiles directory (`colophon publish`) instead of the ledger.
        #[arg(long, value_name = "DIR", conflicts_with = "bundle")]
        tiles: Option<String>,
        /// Accept a bundle that carries no log checkpoint and inclusion proofs. Nothing then shows
        /// that its entries are in the owner's log, or in which order they were signed (a stolen
        /// key could have signed after its revocation): the verdict says so, and fails whenever
        /// it would need that order.
        #[arg(long, requires = "bundle")]
        insecure_ignore_log: bool,
        /// Read the copy as a web page (its text, the signed text as one region of it) or as text;
        /// auto: a web page when it starts like one (spec/verify.md §2.7.1).
        #[arg(long = "as", value_name = "KIND", default_value = "auto", value_parser = ["auto", "html", "text"])]
        copy_as: String,
        /// Fail (exit 1) when a later release of the same work and language supersedes the copy's
        /// release (spec/verify.md §2.8); without it, a superseded copy verifies and the output
        /// says so first.
        #[arg(long)]
        require_latest: bool,
    },
    /// Show the history: keys, versions, releases.
    #[command(after_help = "Example:\n  colophon log --work winter-sea")]
    Log {
        /// Only entries about this work.
        #[arg(long)]
        work: Option<String>,
    },
    /// Where each work stands: its latest release, translations that render an outdated original
    /// (with what changed in it since), drafts not yet released, and the cosigners of releases.
    #[command(after_help = "Examples:\n  colophon status\n  colophon status --work winter-sea --json\n\n\
A report: exit 0 whatever it finds (2 when the ledger cannot be read). Every fact comes from the\n\
ledger's signed lines.")]
    Status {
        /// Only this work.
        #[arg(long)]
        work: Option<String>,
    },
    /// Rebuild a version's exact bytes from the ledger, show a release, or show any entry.
    #[command(
        after_help = "Examples:\n  colophon show winter-sea:en@1 -o first-draft.txt\n  colophon show winter-sea@v1          (the release: tag, versions, note, signer, time)\n  colophon show winter-sea@v1 --text   (the release's translation text)"
    )]
    Show {
        /// REF of a version, a release (WORK@TAG shows the release; with --text or -o, its
        /// translation's text), or any entry.
        r#ref: String,
        /// Write the text to FILE instead of stdout (for a release: its translation's text).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// For a release: print its translation's text instead of the release.
        #[arg(long)]
        text: bool,
    },
    /// Compare two versions (or files).
    #[command(
        after_help = "Examples:\n  colophon diff winter-sea:en@1 winter-sea:en@2\n  colophon diff winter-sea:en copy.txt --words"
    )]
    Diff {
        /// REF or file.
        a: String,
        /// REF or file.
        b: String,
        /// Word diff instead of a unified line diff.
        #[arg(long)]
        words: bool,
    },
    /// Verify the whole ledger: canonical form, chain, signatures, keys, references, every text.
    #[command(after_help = "Examples:\n  colophon audit --trust keys.txt\n  \
colophon audit --trust keys.txt --checkpoint 2026-03.checkpoint --save-state archive.state\n  \
colophon audit --trust keys.txt --since 2026-03.checkpoint --state archive.state\n\n\
--save-state keeps the audit's state as of a signed checkpoint; --state with that checkpoint as\n\
--since later audits only the lines appended since (spec/transparency.md §8.1).\n\n\
Exit 0 when clean, 1 when any problem is found.")]
    Audit {
        /// Also report entries whose signers do not chain to these trusted keys.
        #[arg(long, value_name = "KEYRING", env = "COLOPHON_TRUST", value_delimiter = ':')]
        trust: Vec<PathBuf>,
        /// Prove the ledger is an append-only extension of the one this old checkpoint signed.
        #[arg(long, value_name = "CHECKPOINT")]
        since: Option<PathBuf>,
        /// Audit a published tiles directory (`colophon publish`) instead of the ledger file.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["state", "save_state"])]
        tiles: Option<String>,
        /// Resume from this state file (saved by `--save-state` at the `--since` checkpoint): audit
        /// only the lines appended after it.
        #[arg(long, value_name = "FILE", requires = "since")]
        state: Option<PathBuf>,
        /// Save the audit's state as of the `--checkpoint` checkpoint to FILE, for `--state`.
        #[arg(long, value_name = "FILE", requires = "checkpoint")]
        save_state: Option<PathBuf>,
        /// The signed checkpoint the saved state is bound to (the state is the audit's as of its size).
        #[arg(long, value_name = "CHECKPOINT", requires = "save_state")]
        checkpoint: Option<PathBuf>,
    },
    /// Sign a checkpoint (tree size and Merkle root) of the ledger with an owner key.
    #[command(after_help = "Example:\n  colophon checkpoint --key olga.key -o 2026-03.checkpoint\n\n\
The latest checkpoint is also kept beside the ledger (<ledger>.checkpoint); bundles made afterwards\n\
carry it with an inclusion proof for every entry. Keep old checkpoints: `audit --since` uses them.")]
    Checkpoint {
        /// An owner's secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "OWNER.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
        /// Also write the checkpoint to FILE (default: print it).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Check everything as the real run would and print the checkpoint it would sign; keep
        /// and write nothing (spec/cli.md §3).
        #[arg(long)]
        dry_run: bool,
    },
    /// Print an inclusion proof of an entry, or a consistency proof between two checkpoints.
    #[command(subcommand)]
    Prove(ProveCommand),
    /// Check a proof file without the ledger.
    #[command(after_help = "Examples:\n  colophon verify-proof entry.tlog-proof --trust olga.pub\n  \
colophon verify-proof grow.proof --old jan.checkpoint --new mar.checkpoint --trust olga.pub")]
    VerifyProof {
        /// A .tlog-proof file (inclusion) or a consistency proof file.
        proof: PathBuf,
        /// The log's keys (and witnesses): a keyring or .pub file; repeatable.
        #[arg(long, value_name = "KEYRING", env = "COLOPHON_TRUST", value_delimiter = ':')]
        trust: Vec<PathBuf>,
        /// The ledger line the inclusion proof is about, when the proof does not carry it.
        #[arg(long, value_name = "FILE")]
        entry: Option<PathBuf>,
        /// For a consistency proof: the older checkpoint.
        #[arg(long, value_name = "CHECKPOINT")]
        old: Option<PathBuf>,
        /// For a consistency proof: the newer checkpoint.
        #[arg(long, value_name = "CHECKPOINT")]
        new: Option<PathBuf>,
    },
    /// Write the ledger as a static C2SP tlog-tiles directory any web host can serve.
    #[command(after_help = "Examples:\n  colophon publish public/log --key olga.key\n  \
colophon publish public/log --site          # and a website of the log: open public/log/index.html\n\n\
Publishing again only adds new tiles and rewrites the partial ones and the checkpoint; --site rewrites \
the site's pages.")]
    Publish {
        /// The directory.
        dir: PathBuf,
        /// Sign a fresh checkpoint with this owner key first (default: the kept checkpoint).
        #[arg(long, value_name = "OWNER.key")]
        key: Option<PathBuf>,
        /// Also write a static website of the log beside the tiles (index.html, a page per work,
        /// keys, the log, a bundle per release, the verify page): plain HTML, readable without
        /// JavaScript, from any static host or from file://.
        #[arg(long)]
        site: bool,
    },
    /// Act as a witness: cosign a checkpoint after checking it extends the last one you cosigned.
    /// (An editor's countersignature of a release is `cosign`; a witness's of a checkpoint is this.)
    #[command(
        alias = "cosign-checkpoint",
        after_help = "Example:\n  colophon witness log.checkpoint --key w.key --name witness.example/w1 \\\n    \
--state w.state --log-key olga.pub --tiles public/log -o log.checkpoint\n\n\
Readers list the witness with the line printed by `colophon vkey w.pub --name witness.example/w1 --witness`."
    )]
    Witness {
        /// The checkpoint to cosign.
        checkpoint: PathBuf,
        /// The witness's secret key.
        #[arg(long, value_name = "KEY.key")]
        key: PathBuf,
        /// The witness's name, a schema-less URL such as witness.example/w1.
        #[arg(long)]
        name: String,
        /// The witness's state file: the last checkpoint cosigned per log.
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        /// The log owner's public key(s) (a .pub file or keyring).
        #[arg(long = "log-key", value_name = "KEYRING", required = true)]
        log_key: Vec<PathBuf>,
        /// Where to get consistency proofs: the log's tiles directory (default: --ledger).
        #[arg(long, value_name = "DIR")]
        tiles: Option<String>,
        /// Or a consistency proof file from `colophon prove consistency`.
        #[arg(long, value_name = "FILE")]
        proof: Option<PathBuf>,
        /// Write the cosigned checkpoint here (default: stdout).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the signed-note verifier key (vkey) of a public key, for keyrings and witness tools.
    #[command(after_help = "Example:\n  colophon vkey w.pub --name witness.example/w1 --witness >> keys.txt")]
    Vkey {
        /// The .pub file.
        #[arg(value_name = "PUB")]
        public: PathBuf,
        /// The key name: the witness name, or the log's origin.
        #[arg(long)]
        name: String,
        /// A witness cosigner key (cosignature/v1, type 0x04); prints a `witness ...` keyring line.
        #[arg(long)]
        witness: bool,
    },
    /// Write a release in a format other tools check (spec/exports.md).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Run all three journeys on embedded sample texts in a temporary directory.
    Demo {
        /// Keep the demo directory and print its path.
        #[arg(long)]
        keep: bool,
    },
    /// Print shell completions.
    #[command(after_help = "Example:\n  colophon completions bash > /etc/bash_completion.d/colophon")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory.
    #[command(after_help = "Examples:\n  colophon man > colophon.1 && man ./colophon.1\n  colophon man --dir man1")]
    Man {
        /// Write colophon.1 and one page per command (colophon-verify.1, ...) into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// The arguments of `colophon record`.
#[derive(Args, Debug)]
pub(super) struct RecordArgs {
    /// The file to record. Without it, the latest version's text is recorded again with the
    /// original --of names: a re-pairing (spec/cli.md §3).
    pub(super) file: Option<PathBuf>,
    /// Work id shared by an original and its translations, e.g. winter-sea.
    #[arg(long)]
    pub(super) work: String,
    /// BCP 47 language tag, e.g. it, en, pt-BR.
    #[arg(long)]
    pub(super) lang: String,
    /// original or translation (default: as earlier versions; translation when --of is given).
    #[arg(long, value_enum)]
    pub(super) role: Option<RoleArg>,
    /// The original version this translation renders (REF, e.g. winter-sea:it).
    #[arg(long, value_name = "REF")]
    pub(super) of: Option<String>,
    /// What changed, for the history.
    #[arg(long)]
    pub(super) note: Option<String>,
    /// Record only hashes; the text is not stored in the ledger.
    #[arg(long)]
    pub(super) hash_only: bool,
    /// Media type (default: guessed from the file name).
    #[arg(long, value_name = "TYPE")]
    pub(super) media_type: Option<String>,
    /// Your secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
    #[arg(long, value_name = "KEY.key", env = "COLOPHON_KEY")]
    pub(super) key: Option<PathBuf>,
    /// Check everything as the real run would and print the entry it would append; write
    /// nothing (spec/cli.md §3).
    #[arg(long)]
    pub(super) dry_run: bool,
}

/// The arguments of `colophon release`.
#[derive(Args, Debug)]
pub(super) struct ReleaseArgs {
    /// The release to make, WORK@TAG (or give --work and --tag).
    #[arg(value_name = "WORK@TAG", conflicts_with_all = ["work", "tag"])]
    pub(super) release: Option<String>,
    /// Work id.
    #[arg(long, requires = "tag")]
    pub(super) work: Option<String>,
    /// Release tag, e.g. v1.
    #[arg(long, requires = "work")]
    pub(super) tag: Option<String>,
    /// The translation version (REF).
    #[arg(long, value_name = "REF")]
    pub(super) translation: Option<String>,
    /// The original version (REF); must be the one the translation renders.
    #[arg(long, value_name = "REF")]
    pub(super) original: Option<String>,
    /// Where the release is published (repeatable).
    #[arg(long = "url", value_name = "URL")]
    pub(super) urls: Vec<String>,
    /// A note.
    #[arg(long)]
    pub(super) note: Option<String>,
    /// Also write the reader's bundle to this file (signing a checkpoint first when your key is
    /// an owner of the log).
    #[arg(long, alias = "bundle", value_name = "FILE")]
    pub(super) write_bundle: Option<PathBuf>,
    /// With --write-bundle: also carry every earlier version of the translation.
    #[arg(long, requires = "write_bundle")]
    pub(super) with_drafts: bool,
    /// With --write-bundle: also carry the original (its scripts and the released text).
    #[arg(long, requires = "write_bundle")]
    pub(super) with_original: bool,
    /// Your secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
    #[arg(long, value_name = "KEY.key", env = "COLOPHON_KEY")]
    pub(super) key: Option<PathBuf>,
    /// Check everything as the real run would and print the entry it would append; write
    /// nothing (spec/cli.md §3).
    #[arg(long)]
    pub(super) dry_run: bool,
}

#[derive(Subcommand, Debug)]
pub(super) enum ExportCommand {
    /// Write a release's translation and a minisign signature of it (FILE and FILE.minisig),
    /// made with the key that signed the release, which readers check with
    /// `minisign -Vm FILE -P KEY` (spec/exports.md §1).
    #[command(after_help = "Example:\n  colophon export minisig winter-sea@v1 --key tina.key\n  \
minisign -Vm winter-sea-v1.en.txt -P RWQ...   (the key `colophon export minisign-key tina.pub` prints)\n\n\
A minisign signature shows who signed these exact bytes, and the release its signed comment names.\n\
It carries no log, no revocation and no trust chain: `colophon verify` checks those.")]
    Minisig {
        /// The release (REF, e.g. winter-sea@v1).
        release: String,
        /// The text file to write; FILE.minisig is written beside it (default: WORK-TAG.LANG.txt,
        /// or .html, .md, .bin by the media type).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The key that signed the release (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "KEY.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
    },
    /// Write a release's translation followed by its colophon-signature line: a copy that
    /// verifies on its own against the reader's trust roots (spec/exports.md §4).
    #[command(after_help = "Example:\n  colophon export clearsign winter-sea@v1 --key tina.key\n  \
colophon verify winter-sea-v1.en.txt --trust tina.pub      (a reader: no bundle, no ledger)\n\n\
Paste the text with its last line into a blog post; the signature line must stay one line.\n\
A clear signature carries no log: it cannot show a later correction or a revocation.")]
    Clearsign {
        /// The release (REF, e.g. winter-sea@v1).
        release: String,
        /// The file to write (default: WORK-TAG.LANG.txt, or .html, .md, .bin by the media type).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The key that signed the release (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "KEY.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
    },
    /// Write a BagIt bag (RFC 8493) of the ledger: the ledger, its checkpoint, and every version's
    /// text rebuilt and checked, for archives (spec/exports.md §2).
    #[command(
        after_help = "Examples:\n  colophon export bagit archive-2026-12\n  colophon export bagit ponte-bag ponte\n  \
bagit.py --validate archive-2026-12\n\n\
The ledger is audited first: a ledger with problems is not bagged (exit 1)."
    )]
    Bagit {
        /// The bag's directory (new, or empty).
        dir: PathBuf,
        /// Only these works (default: every work).
        #[arg(value_name = "WORK")]
        works: Vec<String>,
    },
    /// Print a fixity check of every version as PREMIS 3.0 XML (spec/exports.md §5).
    #[command(after_help = "Example:\n  colophon export premis -o fixity.premis.xml")]
    Premis {
        /// Only this work.
        #[arg(long)]
        work: Option<String>,
        /// Write the document here (default: print it).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the ledger's provenance graph as W3C PROV-JSON (spec/exports.md §3).
    #[command(after_help = "Example:\n  colophon export prov --work ponte -o ponte.prov.json")]
    Prov {
        /// Only this work (and the keys that signed it).
        #[arg(long)]
        work: Option<String>,
        /// Write the document here (default: print it).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the minisign public key of a colophon public key, for readers' `minisign -P` or `-p`.
    #[command(after_help = "Example:\n  colophon export minisign-key tina.pub -o tina.minisign.pub")]
    MinisignKey {
        /// The .pub file.
        #[arg(value_name = "PUB")]
        public: PathBuf,
        /// Write minisign's public key file here (default: print it).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub(super) enum ProveCommand {
    /// An inclusion proof (c2sp.org/tlog-proof@v1) of an entry in a checkpoint's tree.
    #[command(after_help = "Example:\n  colophon prove inclusion ponte@v1 -o release.tlog-proof")]
    Inclusion {
        /// The entry (REF).
        r#ref: String,
        /// The checkpoint to prove against (default: the one kept beside the ledger).
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// Use a published tiles directory instead of the ledger (default checkpoint: the published one).
        #[arg(long, value_name = "DIR")]
        tiles: Option<String>,
        /// Write the proof here (default: stdout).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// A consistency proof between two checkpoints of the ledger.
    #[command(after_help = "Example:\n  colophon prove consistency jan.checkpoint mar.checkpoint -o grow.proof")]
    Consistency {
        /// The older checkpoint.
        old: PathBuf,
        /// The newer checkpoint.
        new: PathBuf,
        /// Use a published tiles directory instead of the ledger.
        #[arg(long, value_name = "DIR")]
        tiles: Option<String>,
        /// Write the proof here (default: stdout).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub(super) enum KeyCommand {
    /// Register a signer's public key (owner only).
    #[command(after_help = "Example:\n  colophon key add tina.pub --role translator --key olga.key")]
    Add {
        /// The .pub file written by `colophon keygen`.
        #[arg(value_name = "PUB")]
        public: PathBuf,
        /// Role(s): translator, editor, owner (repeatable or comma-separated).
        #[arg(long, value_enum, value_delimiter = ',', required = true)]
        role: Vec<RoleKind>,
        /// The owner's secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "OWNER.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
        /// Check everything as the real run would and print the entry it would append; write
        /// nothing (spec/cli.md §3).
        #[arg(long)]
        dry_run: bool,
    },
    /// Retire a key; it signs nothing after this entry.
    #[command(after_help = "Example:\n  colophon key revoke f1cde99f --reason compromised --key olga.key")]
    Revoke {
        /// Key id (or a unique prefix of 8+ hex digits, or the exact name).
        keyid: String,
        /// retired or compromised.
        #[arg(long, value_enum)]
        reason: ReasonArg,
        /// A note.
        #[arg(long)]
        note: Option<String>,
        /// The owner's secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "OWNER.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
        /// Check everything as the real run would and print the entry it would append; write
        /// nothing (spec/cli.md §3).
        #[arg(long)]
        dry_run: bool,
    },
    /// List registered keys.
    List,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(super) enum RoleArg {
    Original,
    Translation,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(super) enum RoleKind {
    Translator,
    Editor,
    Owner,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(super) enum ReasonArg {
    Retired,
    Compromised,
}

/// The `--profile` values, for help and completions; `words/v1` is accepted only to be refused
/// with the reason (it is retired for matching, spec/ledger.md §9.3).
pub(super) fn profile_values() -> clap::builder::PossibleValuesParser {
    use clap::builder::PossibleValue;
    clap::builder::PossibleValuesParser::new([
        PossibleValue::new("exact").help("byte for byte"),
        PossibleValue::new("text/v1").help("line endings, Unicode composition, trailing blanks may differ"),
        PossibleValue::new("words/v2").help("typography, layout and invisible characters may differ too"),
        PossibleValue::new("words/v1").hide(true),
    ])
}
