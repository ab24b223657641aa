//! Prints the component schemas derived from the wire types as YAML, to start or update
//! `components.schemas` in `animaforge.yaml`: `cargo run -p animaforge-api --example
//! dump_components`.

#![allow(clippy::print_stdout)] // printing the YAML is the point

fn main() {
    let components = animaforge_api::schema::components();
    let yaml = serde_norway::to_string(&components).expect("components serialise");
    print!("{yaml}");
}
