//! Compiles the Slint UI with its translations bundled from `locales/` — only with the `ui`
//! feature (the default); a core-only build (`--no-default-features`) has no Slint to compile.
//! Asks the linker to pack the binary's relocations (see `pack_relocations`) and to put the
//! functions start-up runs together (see `order_startup_functions`).
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // Slint's own switch for the debug info UI tests need: the soak bench (a release build)
    // drives the window headlessly with it set (`SLINT_EMIT_DEBUG_INFO=1 cargo bench --bench soak`).
    println!("cargo:rerun-if-env-changed=SLINT_EMIT_DEBUG_INFO");
    // Cargo builds this script with the package's features, so `cfg(feature)` works here (and
    // slint-build is only a dependency when `ui` is on).
    #[cfg(feature = "ui")]
    compile_ui();
    pack_relocations();
    order_startup_functions();
}

/// The functions the kiosk runs from launch to its first settled frame
/// (`link/startup-symbols.txt`, written by `benches/startup-symbols.sh`) placed first in the
/// binary's code, in that order. The kernel maps code a block at a time around each page first
/// run (and whole large folios on newer kernels), so the 2.9 MB start-up runs, spread over
/// 22 MB, had 14-15 MB mapped: most of the kiosk's start-up memory (`benches/startup.sh`).
/// Nothing else changes: the same code, placed differently; a name the list holds and the binary
/// does not (a dependency updated since) is skipped without a word.
///
/// Release builds for x86-64 Linux only, where rustc links with its own LLD (Rust 1.90 and
/// later; GNU ld has no such option): not when RUSTFLAGS chooses a linker, nor with
/// `INTAKE_KIOSK_NO_LINK_ORDER` set.
fn order_startup_functions() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let list = std::path::Path::new(&var("CARGO_MANIFEST_DIR")).join("link/startup-symbols.txt");
    println!("cargo:rerun-if-changed=link/startup-symbols.txt");
    println!("cargo:rerun-if-env-changed=INTAKE_KIOSK_NO_LINK_ORDER");
    let chosen_linker = var("CARGO_ENCODED_RUSTFLAGS").contains("link");
    if var("PROFILE") == "release"
        && var("CARGO_CFG_TARGET_ARCH") == "x86_64"
        && var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && !chosen_linker
        && std::env::var_os("INTAKE_KIOSK_NO_LINK_ORDER").is_none()
        && list.is_file()
    {
        // `-Xlinker`, not `-Wl,`: the path goes to the linker whole, a comma in it included.
        for arg in [
            format!("--symbol-ordering-file={}", list.display()),
            "--no-warn-symbol-ordering".to_owned(),
        ] {
            println!("cargo:rustc-link-arg-bins=-Xlinker");
            println!("cargo:rustc-link-arg-bins={arg}");
        }
    }
}

/// The binary's relocations packed (RELR, glibc 2.36 and binutils 2.38 or later: Debian 12 has
/// both): the dynamic loader otherwise reads ~2 MB of relocation records at every start, pages
/// that stay mapped and count against the kiosk's start-up memory (`benches/startup.sh`). The
/// binary stays position-independent (ASLR) as before; only the table's encoding changes.
fn pack_relocations() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

#[cfg(feature = "ui")]
fn compile_ui() {
    let debug = std::env::var("PROFILE")
        .map(|p| p == "debug")
        .unwrap_or(false)
        || std::env::var_os("SLINT_EMIT_DEBUG_INFO").is_some();
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("locales")
        // UI tests find elements by accessible label; that needs debug info in test builds.
        .with_debug_info(debug);
    slint_build::compile_with_config("ui/app.slint", config).expect("ui/app.slint compiles");
    println!("cargo:rerun-if-changed=locales");
}
