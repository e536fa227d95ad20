//! `cargo codegen generate [--contract NAME]` writes the generated code;
//! `cargo codegen check [--contract NAME]` fails when what is on disk differs from it.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: plystra-codegen <generate|check> [--contract NAME] [--root DIR]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let mut contract = None;
    // The workspace root: this crate lives in `<root>/codegen`.
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--contract", Some(name)) => contract = Some(name),
            ("--root", Some(dir)) => root = PathBuf::from(dir),
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let result = match command.as_str() {
        "generate" => plystra_codegen::generate(&root, contract.as_deref()).map(|files| {
            for file in &files {
                println!("wrote {}", file.display());
            }
            files.len()
        }),
        "check" => plystra_codegen::check(&root, contract.as_deref()).inspect(|count| {
            println!("codegen check: {count} generated files match spec/");
        }),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
