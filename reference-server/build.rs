//! Embeds the SQL migrations of both engines (`migrations/{sqlite,postgres}/NNNN_name.sql`)
//! into the binary, and rebuilds when one is added or changed.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    let mut code = String::new();
    for engine in ["sqlite", "postgres"] {
        let dir = Path::new("migrations").join(engine);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "sql"));
        files.sort();
        writeln!(
            code,
            "/// Migrations of {engine}: (version, description, SQL)."
        )
        .unwrap();
        writeln!(
            code,
            "pub(crate) const {}: &[(i64, &str, &str)] = &[",
            engine.to_uppercase()
        )
        .unwrap();
        for path in files {
            println!("cargo:rerun-if-changed={}", path.display());
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("utf-8 file name");
            let (version, description) = stem.split_once('_').unwrap_or((stem, stem));
            let version: i64 = version
                .parse()
                .expect("migration files start with a number");
            let absolute = std::fs::canonicalize(&path).expect("migration path");
            writeln!(
                code,
                "    ({version}, {description:?}, include_str!({:?})),",
                absolute.display().to_string()
            )
            .unwrap();
        }
        writeln!(code, "];").unwrap();
    }
    std::fs::write(Path::new(&out_dir).join("migrations.rs"), code).expect("write migrations.rs");
}
