//! The `gridrnn` command line (docs/design.md section 6): parse, call the library, report.
//! The grammar is `cli/args.rs`; each subcommand is one function under `cli/`.

use std::process::ExitCode;

use clap::Parser;

use gridrnn::error::Failure;

mod cli;

fn main() -> ExitCode {
    let parsed = match cli::args::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Usage errors exit 2 (a bad argument), --help and --version 0.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli::dispatch(parsed.cmd) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            let code = e.downcast_ref::<Failure>().map_or(1, Failure::exit_code);
            ExitCode::from(code as u8)
        }
    }
}
