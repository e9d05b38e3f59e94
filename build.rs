//! Compiles the Slint UI with its translations bundled from `locales/` — only with the `ui`
//! feature (the default); a core-only build (`--no-default-features`) has no Slint to compile.
//! Asks the linker to pack the binary's relocations (see `pack_relocations`).
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
