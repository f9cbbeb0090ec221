pub mod shell;
pub mod shell_form_sigterm;
