fn main() {
    // Added or removed UI files are not tracked by the asset embedder.
    println!("cargo:rerun-if-changed=ui");
    tauri_build::build()
}
