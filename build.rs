//! Lists the gettext catalogues for the Rust-side text (`src/i18n.rs` includes every
//! `locales/<lang>/LC_MESSAGES/intake-kiosk.po`: a language is added by adding its file), and
//! compiles the Slint UI with its translations bundled from `locales/` — only with the `ui`
//! feature (the default); a core-only build (`--no-default-features`) has no Slint to compile.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=locales");
    list_catalogues();
    // Cargo builds this script with the package's features, so `cfg(feature)` works here (and
    // slint-build is only a dependency when `ui` is on).
    #[cfg(feature = "ui")]
    compile_ui();
}

/// Writes `$OUT_DIR/catalogues.rs`: `LANGUAGES` (English first, then every catalogue's folder
/// name in order) and `CATALOGUES` (each language with its .po text, included at build time).
fn list_catalogues() {
    let root = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let mut languages: Vec<String> = std::fs::read_dir(root.join("locales"))
        .expect("locales/ is readable")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("LC_MESSAGES/intake-kiosk.po").is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    languages.sort();
    let mut out =
        String::from("/// Languages with a catalogue, English (the source text) first.\n");
    out.push_str("pub const LANGUAGES: &[&str] = &[\"en\"");
    for lang in &languages {
        out.push_str(&format!(", {lang:?}"));
    }
    out.push_str("];\n\nconst CATALOGUES: &[(&str, &str)] = &[\n");
    for lang in &languages {
        let path = root
            .join("locales")
            .join(lang)
            .join("LC_MESSAGES/intake-kiosk.po");
        out.push_str(&format!(
            "    ({lang:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("catalogues.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

#[cfg(feature = "ui")]
fn compile_ui() {
    let debug = std::env::var("PROFILE")
        .map(|p| p == "debug")
        .unwrap_or(false);
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("locales")
        // UI tests find elements by accessible label; that needs debug info in test builds.
        .with_debug_info(debug);
    slint_build::compile_with_config("ui/app.slint", config).expect("ui/app.slint compiles");
}
