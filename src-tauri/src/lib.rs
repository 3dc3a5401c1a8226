//! The Tucai station's desktop shell: the command line, the window and the
//! commands the window calls. All behaviour lives in `tucai-core`.

pub mod cli;
mod commands;
mod window;

pub use window::run_window;
