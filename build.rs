//! Compiles the Slint UI with its translations bundled from `locales/`.
fn main() {
    let debug = std::env::var("PROFILE")
        .map(|p| p == "debug")
        .unwrap_or(false);
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("locales")
        // UI tests find elements by accessible label; that needs debug info in test builds.
        .with_debug_info(debug);
    slint_build::compile_with_config("ui/app.slint", config).expect("ui/app.slint compiles");
    println!("cargo:rerun-if-changed=locales");
}
