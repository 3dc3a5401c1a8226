//! Specular glare: a glossy print or a screen's glass reflects the room's
//! lamps as a patch of clipped, colourless white across the face.

use image::RgbImage;

use super::{Cue, CueWeight};
use crate::checks::measure::bounds;
use crate::text::Text;
use crate::vision::Rect;

/// Share of the face region, in percent, from which the cue fires.
pub const THRESHOLD: f32 = 1.0;
/// Lowest channel value of a pixel clipped in all three channels, which
/// is white whatever the colour of the light.
const CLIPPED: u8 = 245;

fn title() -> Text {
    Text::new("镜面反光", "Specular glare")
}

pub fn cue(image: &RgbImage, face_region: Option<Rect>) -> Cue {
    let (name, weight) = ("specular_glare", CueWeight::Supporting);
    let Some(region) = face_region else {
        return Cue::unmeasured(name, title(), weight, THRESHOLD, "no single face");
    };
    Cue::above(
        name,
        title(),
        weight,
        glare_percent(image, &region),
        THRESHOLD,
    )
    .with_unit("%")
}

/// Share (0-100 %) of pixels in `region` clipped in every channel.
pub(super) fn glare_percent(image: &RgbImage, region: &Rect) -> f32 {
    let (x0, y0, x1, y1) = bounds(region, image.width(), image.height());
    let total = (x1 - x0) as usize * (y1 - y0) as usize;
    if total == 0 {
        return 0.0;
    }
    let clipped = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| image.get_pixel(x, y).0.iter().all(|&c| c >= CLIPPED))
        .count();
    100.0 * clipped as f32 / total as f32
}
