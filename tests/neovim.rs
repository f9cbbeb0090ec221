//! A real editor as the client: Neovim, headless and without user configuration, runs
//! tests/nvim/lsp.lua against `kubelint server` (diagnostic at its line and column, cleared by
//! an edit, fixed by the code action). Skipped when `nvim` is not installed, unless
//! `KUBELINT_REQUIRE_NVIM` is set (`.ci/run` installs it and sets it).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEPLOYMENT: &str = include_str!("data/server/deployment.yaml");

#[test]
fn neovim_shows_fixes_and_clears_the_diagnostic() {
    let installed = Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        assert!(
            std::env::var_os("KUBELINT_REQUIRE_NVIM").is_none(),
            "KUBELINT_REQUIRE_NVIM is set and nvim is not installed"
        );
        eprintln!("nvim is not installed: the editor test is skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("kubelint-nvim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.canonicalize().unwrap();
    std::fs::write(dir.join("deployment.yaml"), DEPLOYMENT).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim/lsp.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("KUBELINT_BIN", env!("CARGO_BIN_EXE_kubelint"))
        .env("KUBELINT_ROOT", &dir)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish in 180 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(status.success(), "nvim failed:\n{stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "diagnostic at 19:33",
            "cleared after the edit",
            "fixed by the code action",
            "ok"
        ]
    );
}
