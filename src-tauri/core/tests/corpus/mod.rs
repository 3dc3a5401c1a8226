//! A labelled corpus of photos made in code from the committed real
//! photos: each variant changes one thing (scale, crop, shift, roll, blur,
//! noise, JPEG quality, exposure, colour cast, background, occlusion,
//! glare, red eye, skin tone, clothes) and records the result expected of
//! the rules it touches. Deterministic: noise comes from a fixed seed.
//!
//! Shared by the `corpus` test and the `bench_corpus` example.

#![allow(dead_code)]

use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};
use imageproc::geometric_transformations::{Interpolation, rotate_about_center};
use tucai_core::checks::{Analysis, Profile, RuleStatus, analyse};
use tucai_core::vision::{Mesh, Models};

/// The result a variant expects of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Pass,
    Fail,
    Advisory,
    /// Pass or advisory: the rule must not reject.
    NotFail,
}

impl Expect {
    pub fn matches(self, status: RuleStatus) -> bool {
        match self {
            Expect::Pass => status == RuleStatus::Pass,
            Expect::Fail => status == RuleStatus::Fail,
            Expect::Advisory => status == RuleStatus::Advisory,
            Expect::NotFail => matches!(status, RuleStatus::Pass | RuleStatus::Advisory),
        }
    }
}

/// Rule name that stands for every rule of the report.
pub const EVERY_RULE: &str = "*";

pub struct Variant {
    pub name: String,
    pub family: &'static str,
    /// Profile the variant is checked against.
    pub profile: &'static str,
    /// Linear-light factor applied to the skin, for the skin-tone scale.
    pub tone: Option<f32>,
    pub image: RgbImage,
    pub expect: Vec<(&'static str, Expect)>,
}

/// The base frame and what the models found on it.
struct Base {
    image: RgbImage,
    analysis: Analysis,
}

impl Base {
    fn mesh(&self) -> &Mesh {
        self.analysis
            .mesh
            .as_ref()
            .expect("the base frame has a face mesh")
    }

    fn mask_at(&self, x: u32, y: u32) -> f32 {
        self.analysis
            .mask
            .as_ref()
            .expect("the base frame has a person mask")
            .at(x, y)
    }

    /// Eye centres and the eye width, in frame pixels.
    fn eyes(&self) -> [(f32, f32, f32); 2] {
        let mesh = self.mesh();
        [(33, 133), (263, 362)].map(|(a, b)| {
            let (p, q) = (mesh.point(a), mesh.point(b));
            ((p.x + q.x) / 2.0, (p.y + q.y) / 2.0, p.distance(q))
        })
    }
}

/// A small seeded generator (xorshift32) for repeatable noise.
struct Noise(u32);

impl Noise {
    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 as f32 + 0.5) / (u32::MAX as f32 + 1.0)
    }

    /// Draws a normal deviate by the Box-Muller transform.
    fn normal(&mut self) -> f32 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
}

fn map_pixels(image: &RgbImage, mut f: impl FnMut(u32, u32, [f32; 3]) -> [f32; 3]) -> RgbImage {
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let p = image.get_pixel(x, y).0.map(f32::from);
        Rgb(f(x, y, p).map(|c| c.round().clamp(0.0, 255.0) as u8))
    })
}

fn to_linear(c: f32) -> f32 {
    let c = c / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn to_srgb(c: f32) -> f32 {
    let c = c.clamp(0.0, 1.0);
    255.0
        * if c <= 0.003_130_8 {
            12.92 * c
        } else {
            1.055 * c.powf(1.0 / 2.4) - 0.055
        }
}

fn jpeg_round_trip(image: &RgbImage, quality: u8) -> RgbImage {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(image)
        .expect("JPEG encodes");
    image::load_from_memory(&bytes)
        .expect("JPEG decodes")
        .to_rgb8()
}

/// Replaces everything the person mask calls background by `paint`,
/// blended by the mask's probability at the edges.
fn replace_background(base: &Base, paint: impl Fn(u32, u32) -> [f32; 3]) -> RgbImage {
    map_pixels(&base.image, |x, y, p| {
        let m = base.mask_at(x, y);
        let q = paint(x, y);
        std::array::from_fn(|c| m * p[c] + (1.0 - m) * q[c])
    })
}

/// YCbCr chroma of an RGB colour.
fn chroma(p: [f32; 3]) -> (f32, f32) {
    let cb = 128.0 - 0.168_736 * p[0] - 0.331_264 * p[1] + 0.5 * p[2];
    let cr = 128.0 + 0.5 * p[0] - 0.418_688 * p[1] - 0.081_312 * p[2];
    (cb, cr)
}

/// Weight (0-1) of each pixel as skin: inside the person mask, near the
/// head and neck, with a chroma near the cheeks' mean chroma.
fn skin_weights(base: &Base) -> Vec<f32> {
    let mesh = base.mesh();
    let (w, h) = base.image.dimensions();
    let mut sum = (0.0, 0.0, 0.0);
    for index in [50, 280] {
        let c = mesh.point(index);
        for y in (c.y as u32 - 8)..(c.y as u32 + 8) {
            for x in (c.x as u32 - 8)..(c.x as u32 + 8) {
                let (cb, cr) = chroma(base.image.get_pixel(x, y).0.map(f32::from));
                sum = (sum.0 + cb, sum.1 + cr, sum.2 + 1.0);
            }
        }
    }
    let (cb0, cr0) = (sum.0 / sum.2, sum.1 / sum.2);
    let face_width = mesh.face_width();
    let center_x = mesh.point(234).midpoint(mesh.point(454)).x;
    let top = mesh.forehead().y - 0.5 * face_width;
    let mut weights = vec![0.0; (w * h) as usize];
    for y in 0..h {
        for x in 0..w {
            if (y as f32) < top || (x as f32 - center_x).abs() > 0.9 * face_width {
                continue;
            }
            let (cb, cr) = chroma(base.image.get_pixel(x, y).0.map(f32::from));
            let distance = (cb - cb0).hypot(cr - cr0);
            let colour = ((16.0 - distance) / 8.0).clamp(0.0, 1.0);
            weights[(y * w + x) as usize] = colour * base.mask_at(x, y).clamp(0.0, 1.0);
        }
    }
    weights
}

/// Scales the skin's linear light by `factor`: a darker or lighter skin
/// under the same, correct exposure.
fn skin_tone(base: &Base, weights: &[f32], factor: f32) -> RgbImage {
    let w = base.image.width();
    map_pixels(&base.image, |x, y, p| {
        let weight = weights[(y * w + x) as usize];
        let scale = 1.0 - weight + weight * factor;
        p.map(|c| to_srgb(to_linear(c) * scale))
    })
}

fn ellipse(image: &mut RgbImage, cx: f32, cy: f32, rx: f32, ry: f32, colour: [u8; 3]) {
    let (x0, x1) = ((cx - rx).max(0.0) as u32, (cx + rx) as u32);
    let (y0, y1) = ((cy - ry).max(0.0) as u32, (cy + ry) as u32);
    for y in y0..=y1.min(image.height() - 1) {
        for x in x0..=x1.min(image.width() - 1) {
            let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
            if dx * dx + dy * dy <= 1.0 {
                image.put_pixel(x, y, Rgb(colour));
            }
        }
    }
}

fn shifted(image: &RgbImage, dx: i64, dy: i64, fill: Rgb<u8>) -> RgbImage {
    let mut out = RgbImage::from_pixel(image.width(), image.height(), fill);
    imageops::overlay(&mut out, image, dx, dy);
    out
}

fn corner(image: &RgbImage) -> Rgb<u8> {
    *image.get_pixel(4, 4)
}

fn variant(
    family: &'static str,
    name: impl Into<String>,
    image: RgbImage,
    expect: &[(&'static str, Expect)],
) -> Variant {
    Variant {
        name: name.into(),
        family,
        profile: "chsi-diploma",
        tone: None,
        image,
        expect: expect.to_vec(),
    }
}

/// Builds the corpus from the demo camera's first frame (a committed
/// photo on an even background, which passes every rule).
pub fn build(models: &Models) -> Vec<Variant> {
    let frame =
        tucai_core::decode::load_photo(&tucai_core::camera::demo_frames_dir().join("frame-00.jpg"))
            .expect("demo frame loads");
    let profile = Profile::named("chsi-diploma").expect("default profile loads");
    let analysis = analyse(&frame, models, &profile).expect("models run");
    let base = Base {
        image: frame,
        analysis,
    };
    let mut out = vec![variant(
        "original",
        "original",
        base.image.clone(),
        &[(EVERY_RULE, Expect::NotFail)],
    )];
    geometry_variants(&base, &mut out);
    picture_variants(&base, &mut out);
    scene_variants(&base, &mut out);
    face_variants(&base, &mut out);
    tone_variants(&base, &mut out);
    fixture_variants(&mut out);
    out
}

fn fixture(name: &str) -> RgbImage {
    let path = tucai_core::assets_dir().join("fixtures").join(name);
    tucai_core::decode::load_photo(&path).expect("fixture loads")
}

/// Adds the other committed photos, scaled up to a camera frame's size,
/// each with the faults it really shows.
fn fixture_variants(out: &mut Vec<Variant>) {
    use Expect::*;
    let twice = |image: RgbImage| {
        let (w, h) = image.dimensions();
        imageops::resize(&image, w * 2, h * 2, FilterType::Lanczos3)
    };
    out.push(variant(
        "fixture",
        "astronaut (open smile, busy background)",
        twice(fixture("astronaut.png")),
        &[
            ("mouth_closed", Fail),
            ("background_uniformity", Fail),
            ("single_face", Pass),
        ],
    ));
    out.push(variant(
        "fixture",
        "camera man (near profile)",
        twice(fixture("camera.png")),
        &[("head_yaw", Fail)],
    ));
    out.push(variant(
        "fixture",
        "Grace Hopper before the flag",
        twice(fixture("grace_hopper.jpg")),
        &[
            ("background_uniformity", Fail),
            ("background_colour", Fail),
            ("single_face", Pass),
        ],
    ));
    let cat = imageops::resize(&fixture("chelsea.png"), 960, 640, FilterType::Lanczos3);
    out.push(variant("fixture", "cat", cat, &[("single_face", Fail)]));
}

fn geometry_variants(base: &Base, out: &mut Vec<Variant>) {
    use Expect::*;
    let image = &base.image;
    let fill = corner(image);
    let (w, h) = image.dimensions();

    for factor in [0.9f32, 0.5] {
        let small = imageops::resize(
            image,
            (w as f32 * factor) as u32,
            (h as f32 * factor) as u32,
            FilterType::Triangle,
        );
        let mut frame = RgbImage::from_pixel(w, h, fill);
        let dx = (w - small.width()) / 2;
        imageops::overlay(
            &mut frame,
            &small,
            i64::from(dx),
            i64::from(h - small.height()),
        );
        let expect: &[_] = if factor > 0.8 {
            &[("crop", Pass), ("face_width", Pass)]
        } else {
            &[
                ("crop", Fail),
                ("face_width", Fail),
                ("single_face", Pass),
                ("inter_eye_distance", Fail),
            ]
        };
        out.push(variant("scale", format!("scale {factor}"), frame, expect));
    }

    let loose = imageops::crop_imm(image, 60, 0, 600, 800).to_image();
    out.push(variant(
        "crop",
        "crop 600x800",
        loose,
        &[("crop", Pass), ("single_face", Pass)],
    ));
    let tight = imageops::crop_imm(image, 160, 100, 400, 533).to_image();
    out.push(variant(
        "crop",
        "crop 400x533",
        tight,
        &[("crop", Fail), ("single_face", NotFail)],
    ));

    out.push(variant(
        "shift",
        "shift 15 px",
        shifted(image, 15, 0, fill),
        &[("crop", Pass), ("centring", Pass)],
    ));
    out.push(variant(
        "shift",
        "shift 260 px",
        shifted(image, 260, 0, fill),
        &[("crop", Fail), ("single_face", Pass), ("centring", Fail)],
    ));
    out.push(variant(
        "shift",
        "shift up 150 px",
        shifted(image, 0, -150, fill),
        &[("crop", Fail), ("top_of_head", Fail), ("single_face", Pass)],
    ));

    // Turning the image by an angle adds that angle to the eye line's tilt.
    let [(rx, ry, _), (lx, ly, _)] = base.eyes();
    let base_roll = (ly - ry).atan2(lx - rx).to_degrees();
    for (degrees, expect) in [(3.0f32, Pass), (6.5, Advisory), (14.0, Fail)] {
        let turn = (degrees - base_roll).to_radians();
        let turned = rotate_about_center(image, turn, Interpolation::Bilinear, fill);
        out.push(variant(
            "roll",
            format!("roll {degrees}°"),
            turned,
            &[("head_roll", expect)],
        ));
    }
}

fn picture_variants(base: &Base, out: &mut Vec<Variant>) {
    use Expect::*;
    let image = &base.image;

    for (sigma, expect) in [(0.4f32, Pass), (1.5, Fail), (3.0, Fail)] {
        out.push(variant(
            "blur",
            format!("blur σ {sigma}"),
            imageops::blur(image, sigma),
            &[("sharpness", expect)],
        ));
    }

    for (sigma, expect) in [
        (3.0f32, &[(EVERY_RULE, NotFail)][..]),
        (
            12.0,
            &[
                ("single_face", Pass),
                ("crop", Pass),
                ("output_photo", Fail),
            ][..],
        ),
    ] {
        let mut noise = Noise(0x5eed_0001 ^ sigma.to_bits());
        let noisy = map_pixels(image, |_, _, p| p.map(|c| c + sigma * noise.normal()));
        out.push(variant("noise", format!("noise σ {sigma}"), noisy, expect));
    }

    for (quality, expect) in [(85u8, Pass), (8, Fail)] {
        out.push(variant(
            "jpeg",
            format!("JPEG quality {quality}"),
            jpeg_round_trip(image, quality),
            &[("compression_artefacts", expect)],
        ));
    }

    let exposures: [(&str, f32, Expect); 3] = [
        ("exposure x1.1", 1.1, Pass),
        ("exposure x2", 2.0, Fail),
        ("exposure x0.125", 0.125, Fail),
    ];
    for (name, gain, expect) in exposures {
        let changed = map_pixels(image, |_, _, p| p.map(|c| c * gain));
        out.push(variant("exposure", name, changed, &[("exposure", expect)]));
    }

    // Half the face in shadow: the image-left half of the face at 55 %.
    let mesh = base.mesh();
    let (nose_x, face_width) = (mesh.point(1).x, mesh.face_width());
    let half_lit = map_pixels(image, |x, _, p| {
        let x = x as f32;
        if x < nose_x && x > nose_x - face_width {
            p.map(|c| c * 0.55)
        } else {
            p
        }
    });
    out.push(variant(
        "exposure",
        "dark half-face",
        half_lit,
        &[("illumination_uniformity", Fail)],
    ));

    // Washed out: every level squeezed into 90-190, so about 100 remain.
    let washed = map_pixels(image, |_, _, p| p.map(|c| 90.0 + c * 100.0 / 255.0));
    out.push(variant(
        "exposure",
        "washed out",
        washed,
        &[("grey_levels", Fail)],
    ));

    let casts: [(&str, [f32; 3], Expect); 3] = [
        ("cast warm 3 %", [1.03, 1.0, 0.97], Pass),
        ("cast yellow", [1.0, 1.0, 0.6], Fail),
        ("cast cyan", [0.7, 1.0, 1.0], Fail),
    ];
    for (name, gains, expect) in casts {
        let changed = map_pixels(image, |_, _, p| std::array::from_fn(|c| p[c] * gains[c]));
        out.push(variant(
            "colour cast",
            name,
            changed,
            &[("natural_colour", expect)],
        ));
    }
}

fn scene_variants(base: &Base, out: &mut Vec<Variant>) {
    use Expect::*;
    let blue = [100.0, 197.0, 255.0];
    let on_blue = replace_background(base, |_, _| blue);
    out.push(variant(
        "background",
        "blue background",
        on_blue.clone(),
        &[("background_colour", Pass), ("background_uniformity", Pass)],
    ));
    out.push(Variant {
        profile: "chsi-blue",
        ..variant(
            "background",
            "blue background, blue profile",
            on_blue,
            &[("background_colour", Pass)],
        )
    });
    out.push(Variant {
        profile: "chsi-blue",
        ..variant(
            "background",
            "grey background, blue profile",
            base.image.clone(),
            &[("background_colour", Fail)],
        )
    });
    out.push(variant(
        "background",
        "orange background",
        replace_background(base, |_, _| [240.0, 150.0, 60.0]),
        &[("background_colour", Fail)],
    ));
    let height = base.image.height() as f32;
    out.push(variant(
        "background",
        "gradient background",
        replace_background(base, |_, y| [250.0 - 90.0 * y as f32 / height; 3]),
        &[("background_uniformity", Fail)],
    ));

    // A shadow: the background within a fifth of a face width of the
    // person, darkened by 40 %.
    let mesh = base.mesh();
    let reach = (mesh.face_width() * 0.2) as i64;
    let person: Vec<bool> = base
        .image
        .enumerate_pixels()
        .map(|(x, y, _)| base.mask_at(x, y) >= 0.5)
        .collect();
    let w = base.image.width() as i64;
    let near_person = |x: u32, y: u32| {
        let row = y as i64 * w;
        (-reach..=reach).any(|d| {
            let xx = x as i64 + d;
            xx >= 0 && xx < w && person[(row + xx) as usize]
        })
    };
    let shadowed = map_pixels(&base.image, |x, y, p| {
        if base.mask_at(x, y) < 0.1 && near_person(x, y) {
            p.map(|c| c * 0.6)
        } else {
            p
        }
    });
    out.push(variant(
        "background",
        "shadow behind head",
        shadowed,
        &[("background_shadow", Fail)],
    ));

    let mut object = base.image.clone();
    let chin = mesh.chin();
    let side_x = mesh.point(234).x.min(mesh.point(454).x) - mesh.face_width() * 0.45;
    imageops::overlay(
        &mut object,
        &RgbImage::from_pixel(50, 120, Rgb([90, 60, 40])),
        side_x as i64 - 25,
        chin.y as i64 - 260,
    );
    out.push(variant(
        "occlusion",
        "object beside head",
        object,
        &[("background_uniformity", Fail)],
    ));

    let clothes_grey = map_pixels(&base.image, |x, y, p| {
        if y as f32 > chin.y + 60.0 && base.mask_at(x, y) >= 0.5 {
            [225.0, 225.0, 222.0]
        } else {
            p
        }
    });
    out.push(variant(
        "clothes",
        "clothes like background",
        clothes_grey,
        &[("clothing", Fail)],
    ));
    let on_blue_clothes_blue = map_pixels(&replace_background(base, |_, _| blue), |x, y, p| {
        if y as f32 > chin.y + 60.0 && base.mask_at(x, y) >= 0.5 {
            [60.0, 120.0, 220.0]
        } else {
            p
        }
    });
    out.push(Variant {
        profile: "chsi-blue",
        ..variant(
            "clothes",
            "blue top, blue profile",
            on_blue_clothes_blue,
            &[("clothing", Fail)],
        )
    });
}

fn face_variants(base: &Base, out: &mut Vec<Variant>) {
    use Expect::*;
    let eyes = base.eyes();

    let mut glare = base.image.clone();
    for (x, y, width) in eyes {
        ellipse(
            &mut glare,
            x + 0.3 * width,
            y + 0.35 * width,
            0.35 * width,
            0.2 * width,
            [255, 255, 255],
        );
    }
    out.push(variant(
        "glare",
        "glare on lenses",
        glare,
        &[("glasses_glare", Fail)],
    ));

    // A flash reflection on the forehead: a soft white patch.
    let mesh = base.mesh();
    let spot = mesh.point(151);
    let radius = mesh.face_width() * 0.12;
    let shiny = map_pixels(&base.image, |x, y, p| {
        let d = (x as f32 - spot.x).hypot(y as f32 - spot.y) / radius;
        let weight = (1.5 - d).clamp(0.0, 1.0);
        p.map(|c| c + (252.0 - c) * weight)
    });
    out.push(variant(
        "glare",
        "hot spot on forehead",
        shiny,
        &[("hot_spots", Fail)],
    ));

    let mut tinted = base.image.clone();
    for (x, y, width) in eyes {
        let (x0, y0) = ((x - 0.9 * width) as u32, (y - 0.6 * width) as u32);
        let (x1, y1) = ((x + 0.9 * width) as u32, (y + 0.6 * width) as u32);
        for yy in y0..y1 {
            for xx in x0..x1 {
                let p = tinted.get_pixel_mut(xx, yy);
                *p = Rgb(p.0.map(|c| (f32::from(c) * 0.3) as u8));
            }
        }
    }
    out.push(variant(
        "occlusion",
        "tinted lenses",
        tinted,
        &[("tinted_lenses", Fail)],
    ));

    let mut red = base.image.clone();
    for (x, y, width) in eyes {
        ellipse(&mut red, x, y, 0.15 * width, 0.15 * width, [190, 30, 35]);
    }
    out.push(variant("red eye", "red pupils", red, &[("red_eye", Fail)]));

    // Closed eyes: each eye painted over with the skin below it, with a
    // dark line of lashes along the middle.
    let mut closed = base.image.clone();
    for (x, y, width) in eyes {
        let skin = *base.image.get_pixel(x as u32, (y + 0.5 * width) as u32);
        ellipse(&mut closed, x, y, 0.6 * width, 0.3 * width, skin.0);
        ellipse(
            &mut closed,
            x,
            y + 0.05 * width,
            0.5 * width,
            0.03 * width,
            [50, 40, 40],
        );
    }
    out.push(variant(
        "eyes",
        "eyes closed",
        closed,
        &[("eyes_open", Fail)],
    ));

    // Eyes turned aside: each iris painted over with the white of the eye
    // and drawn again a quarter of the eye's width to the image right.
    let mut aside = base.image.clone();
    for (x, y, width) in eyes {
        let white = *base.image.get_pixel((x - 0.3 * width) as u32, y as u32);
        ellipse(&mut aside, x, y, 0.2 * width, 0.12 * width, white.0);
        ellipse(
            &mut aside,
            x + 0.25 * width,
            y,
            0.12 * width,
            0.12 * width,
            [35, 30, 30],
        );
    }
    out.push(variant(
        "gaze",
        "eyes turned aside",
        aside,
        &[("gaze", Advisory)],
    ));

    // Hair across the eyebrows: a dark fringe from above the brows down to
    // the top of the eyes.
    let mut fringe = base.image.clone();
    let mesh = base.mesh();
    let brow_top = [70, 63, 105, 66, 107, 300, 293, 334, 296, 336]
        .map(|i| mesh.point(i).y)
        .into_iter()
        .fold(f32::MAX, f32::min);
    let eye_top = mesh.point(159).y.min(mesh.point(386).y);
    let (left, right) = (mesh.point(234).x, mesh.point(454).x);
    for y in (brow_top - 0.3 * mesh.face_width()) as u32..(eye_top - 3.0) as u32 {
        for x in left as u32..right as u32 {
            fringe.put_pixel(x, y, Rgb([38, 32, 30]));
        }
    }
    out.push(variant(
        "occlusion",
        "fringe over eyebrows",
        fringe,
        &[("eyebrows_ears_visible", Advisory)],
    ));

    // A second, smaller face from the same frame beside the first.
    let mesh = base.mesh();
    let face_width = mesh.face_width();
    let (cx, cy) = (mesh.point(1).x, mesh.point(1).y);
    let side = (face_width * 1.6) as u32;
    let head = imageops::crop_imm(
        &base.image,
        (cx - side as f32 / 2.0) as u32,
        (cy - side as f32 * 0.55) as u32,
        side,
        side,
    )
    .to_image();
    let small = imageops::resize(&head, side * 6 / 10, side * 6 / 10, FilterType::Triangle);
    let mut crowd = base.image.clone();
    imageops::overlay(&mut crowd, &small, 0, 20);
    out.push(variant(
        "occlusion",
        "second face",
        crowd,
        &[("single_face", Fail)],
    ));
}

/// Linear-light factors of the skin-tone scale, from lighter than the
/// base photo to much darker.
pub const TONES: [f32; 6] = [1.3, 1.0, 0.7, 0.5, 0.35, 0.22];

fn tone_variants(base: &Base, out: &mut Vec<Variant>) {
    let weights = skin_weights(base);
    for factor in TONES {
        let toned = skin_tone(base, &weights, factor);
        let mut noise = Noise(0x5eed_0002 ^ factor.to_bits());
        let noisy = map_pixels(&toned, |_, _, p| p.map(|c| c + 2.0 * noise.normal()));
        let on_blue = map_pixels(&toned, |x, y, p| {
            let m = base.mask_at(x, y);
            let blue = [100.0, 197.0, 255.0];
            std::array::from_fn(|c| m * p[c] + (1.0 - m) * blue[c])
        });
        let samples = [
            ("", "chsi-diploma", toned.clone()),
            (
                ", JPEG quality 85",
                "chsi-diploma",
                jpeg_round_trip(&toned, 85),
            ),
            (", noise σ 2", "chsi-diploma", noisy),
            (", blue background", "chsi-blue", on_blue),
        ];
        for (suffix, profile, image) in samples {
            out.push(Variant {
                tone: Some(factor),
                profile,
                ..variant(
                    "skin tone",
                    format!("skin x{factor}{suffix}"),
                    image,
                    &[(EVERY_RULE, Expect::NotFail)],
                )
            });
        }
    }
}
