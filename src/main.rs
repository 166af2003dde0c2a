use std::process::ExitCode;

fn main() -> ExitCode {
    knowing_scratch::main_entry()
}
