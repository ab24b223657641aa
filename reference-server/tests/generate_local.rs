//! Every scene the local compiler writes passes the validator, for a broad set of
//! prompts and settings.

mod generate_support;

use animaforge_server::generate::{Quality, RenderSettings, compile_prompt, validate_source};
use generate_support::python;

const PROMPTS: &[&str] = &[
    "A blue sphere rotating and morphing into a cube",
    "a sine wave being drawn",
    "three red circles and a dark green square",
    "Write \"Hello, World!\" then fade it out",
    "show the equation E = mc^2 and then highlight it",
    "a circle rotates while a square moves to the upper left corner",
    "a light blue star spinning clockwise twice then shrinking",
    "a #ff8800 hexagon bouncing 3 times",
    "a dot moving along a circular path",
    "a yellow triangle morphs into a purple star then turns red",
    "an arrow grows, then a line fades in, then everything fades out",
    "a purple torus and an orange cone slowly rotating",
    "plot a parabola then an exponential curve",
    "a big square scales by 2 for 3 seconds",
    "a cylinder and a sphere and a cube",
    "write hello world",
    "something sparkly",
    "",
    "\"quoted \\\" tricky __import__('os') text\" in a circle",
    "a 7 sided polygon wiggles",
    "the text 'AnimaForge' and a small circle on the right",
    "a red circle moves right then up then to the center",
];

#[tokio::test]
async fn every_compiled_scene_passes_the_validator() {
    let python = python();
    for quality in [Quality::Low, Quality::High] {
        let settings =
            RenderSettings::new(quality, None, None, Some(4.0), Some("#ffffff")).unwrap();
        for prompt in PROMPTS {
            let source = compile_prompt(prompt, &settings);
            let name = validate_source(&python, &source.code)
                .await
                .unwrap_or_else(|err| panic!("{prompt:?} was rejected: {err}\n{}", source.code));
            assert_eq!(name, source.scene_name);
        }
    }
}
