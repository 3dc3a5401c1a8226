// Without this a console window opens beside the station on Windows.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    tucai_station::cli::main()
}
