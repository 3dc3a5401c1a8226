//! The crop planner: finds a crop of the camera frame that the centre can
//! scale to the output photo with every geometry band met, without
//! padding, rotation or upscaling.

use super::profile::Profile;
use crate::vision::Rect;

/// Head measurements the planner needs, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadGeometry {
    pub top: f32,
    pub eye_line: f32,
    /// Lowest point of the chin.
    pub chin: f32,
    pub face_width: f32,
    pub center_x: f32,
}

impl HeadGeometry {
    /// Crown-to-chin height in frame pixels.
    pub fn height(&self) -> f32 {
        self.chin - self.top
    }
}

/// Reasons no crop meets every band, in the order the planner tests them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CropProblem {
    /// The frame is smaller than the output photo.
    FrameTooSmall,
    /// The face is too small even at full camera resolution.
    FaceTooSmall,
    /// The face is too large for any crop that fits in the frame.
    FaceTooLarge,
    /// The face cannot be centred without the crop leaving the frame; the
    /// face sits too far to the image left (true) or right (false).
    OffCentre { image_left: bool },
    /// The head is too close to the top of the frame.
    HeadTooHigh,
    /// The head is too low in the frame.
    HeadTooLow,
    /// The head's proportions cannot meet the top-of-head and eye-line
    /// bands together (such as a very tall hat or hair).
    Proportions,
}

/// A crop rectangle in frame pixels with its scale to output pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crop {
    pub rect: Rect,
    /// Output pixels per frame pixel (at most 1: no upscaling).
    pub scale: f32,
}

impl Crop {
    /// Measures the head in output pixels of this crop: top of head, eye
    /// line and face width.
    pub fn measure(&self, head: &HeadGeometry) -> (f32, f32, f32) {
        (
            (head.top - self.rect.y) * self.scale,
            (head.eye_line - self.rect.y) * self.scale,
            head.face_width * self.scale,
        )
    }

    /// Crown-to-chin height in output pixels of this crop.
    pub fn head_height(&self, head: &HeadGeometry) -> f32 {
        head.height() * self.scale
    }
}

const SCALE_STEPS: usize = 400;

/// Plans the crop closest to the profile's target face width whose bands
/// all hold, or returns the problem that stops every crop.
pub fn plan(
    head: &HeadGeometry,
    frame_width: u32,
    frame_height: u32,
    profile: &Profile,
) -> Result<Crop, CropProblem> {
    let (out_w, out_h) = (profile.output.width as f32, profile.output.height as f32);
    let (frame_w, frame_h) = (frame_width as f32, frame_height as f32);
    let g = &profile.geometry;
    if frame_w < out_w || frame_h < out_h {
        return Err(CropProblem::FrameTooSmall);
    }
    if head.face_width <= 0.0 || head.face_width < g.face_width_px.min {
        return Err(CropProblem::FaceTooSmall);
    }

    // The crop must fit in the frame (scale >= output/frame) and must not
    // upscale (scale <= 1); the face width band bounds the scale too.
    let mut low = (g.face_width_px.min / head.face_width)
        .max(out_w / frame_w)
        .max(out_h / frame_h);
    let mut high = (g.face_width_px.max / head.face_width).min(1.0);
    if let Some(band) = g.head_height_px {
        let height = head.height().max(1.0);
        low = low.max(band.min / height);
        high = high.min(band.max / height);
    }
    if low > high {
        return Err(CropProblem::FaceTooLarge);
    }

    let target = g.target_face_width_px / head.face_width;
    let mut best: Option<(f32, Crop)> = None;
    let mut problem = CropProblem::Proportions;
    for step in 0..=SCALE_STEPS {
        let scale = low + (high - low) * step as f32 / SCALE_STEPS as f32;
        match place(head, scale, frame_w, frame_h, profile) {
            Ok(crop) => {
                let distance = (scale - target).abs();
                if best.is_none_or(|(d, _)| distance < d) {
                    best = Some((distance, crop));
                }
            }
            Err(p) => problem = p,
        }
    }
    best.map(|(_, crop)| crop).ok_or(problem)
}

/// Places a crop at one scale: centred on the face, with the top inside the
/// intersection of the top-of-head band, the eye-line band and the frame.
fn place(
    head: &HeadGeometry,
    scale: f32,
    frame_w: f32,
    frame_h: f32,
    profile: &Profile,
) -> Result<Crop, CropProblem> {
    let g = &profile.geometry;
    let width = profile.output.width as f32 / scale;
    let height = profile.output.height as f32 / scale;

    let x = head.center_x - width / 2.0;
    if x < 0.0 {
        return Err(CropProblem::OffCentre { image_left: true });
    }
    if x + width > frame_w {
        return Err(CropProblem::OffCentre { image_left: false });
    }

    let head_low = head.top - g.top_of_head_px.max / scale;
    let head_high = head.top - g.top_of_head_px.min / scale;
    let eye_low = head.eye_line - g.eye_line_px.max / scale;
    let eye_high = head.eye_line - g.eye_line_px.min / scale;
    let low = head_low.max(eye_low);
    let high = head_high.min(eye_high);
    if low > high {
        return Err(CropProblem::Proportions);
    }
    if high < 0.0 {
        return Err(CropProblem::HeadTooHigh);
    }
    if low > frame_h - height {
        return Err(CropProblem::HeadTooLow);
    }

    let y = ((low.max(0.0) + high.min(frame_h - height)) / 2.0).max(0.0);
    Ok(Crop {
        rect: Rect {
            x,
            y,
            width,
            height,
        },
        scale,
    })
}

/// Computes the crop the planner would aim for, pushed inside the frame even where
/// that breaks a band: used to report how far off each band is.
pub fn nearest(
    head: &HeadGeometry,
    frame_width: u32,
    frame_height: u32,
    profile: &Profile,
) -> Crop {
    let g = &profile.geometry;
    let (out_w, out_h) = (profile.output.width as f32, profile.output.height as f32);
    let (frame_w, frame_h) = (frame_width as f32, frame_height as f32);

    let fit = (out_w / frame_w).max(out_h / frame_h);
    let scale = (g.target_face_width_px / head.face_width.max(1.0)).clamp(fit.min(1.0), 1.0);
    let width = (out_w / scale).min(frame_w);
    let height = (out_h / scale).min(frame_h);

    let wanted_y = head.eye_line - g.eye_line_px.middle() / scale;
    let x = (head.center_x - width / 2.0).clamp(0.0, (frame_w - width).max(0.0));
    let y = wanted_y.clamp(0.0, (frame_h - height).max(0.0));
    Crop {
        rect: Rect {
            x,
            y,
            width,
            height,
        },
        scale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::profile::{DEFAULT_PROFILE, Profile};

    fn profile() -> Profile {
        Profile::named(DEFAULT_PROFILE).unwrap()
    }

    fn head() -> HeadGeometry {
        HeadGeometry {
            top: 150.0,
            eye_line: 400.0,
            chin: 600.0,
            face_width: 300.0,
            center_x: 360.0,
        }
    }

    #[test]
    fn plan_meets_every_band() {
        let crop = plan(&head(), 720, 960, &profile()).unwrap();
        let (top, eye, width) = crop.measure(&head());
        let g = profile().geometry;
        assert!(g.top_of_head_px.contains(top), "top {top}");
        assert!(g.eye_line_px.contains(eye), "eye {eye}");
        assert!(g.face_width_px.contains(width), "width {width}");
    }

    #[test]
    fn plan_never_upscales() {
        let crop = plan(&head(), 720, 960, &profile()).unwrap();
        assert!(crop.scale <= 1.0);
        assert!(crop.rect.width >= 480.0);
    }

    #[test]
    fn plan_stays_inside_frame() {
        let crop = plan(&head(), 720, 960, &profile()).unwrap();
        assert!(crop.rect.x >= 0.0);
        assert!(crop.rect.y >= 0.0);
        assert!(crop.rect.right() <= 720.0 + 1e-3);
        assert!(crop.rect.bottom() <= 960.0 + 1e-3);
    }

    #[test]
    fn small_frame_is_too_small() {
        assert_eq!(
            plan(&head(), 512, 600, &profile()),
            Err(CropProblem::FrameTooSmall)
        );
    }

    #[test]
    fn small_face_is_too_small() {
        let small = HeadGeometry {
            face_width: 120.0,
            ..head()
        };
        assert_eq!(
            plan(&small, 720, 960, &profile()),
            Err(CropProblem::FaceTooSmall)
        );
    }

    #[test]
    fn huge_face_is_too_large() {
        let huge = HeadGeometry {
            face_width: 700.0,
            ..head()
        };
        assert_eq!(
            plan(&huge, 720, 960, &profile()),
            Err(CropProblem::FaceTooLarge)
        );
    }

    #[test]
    fn face_at_edge_is_off_centre() {
        let left = HeadGeometry {
            center_x: 100.0,
            ..head()
        };
        assert_eq!(
            plan(&left, 720, 960, &profile()),
            Err(CropProblem::OffCentre { image_left: true })
        );
    }

    #[test]
    fn head_at_top_is_too_high() {
        let high = HeadGeometry {
            top: 10.0,
            eye_line: 260.0,
            ..head()
        };
        assert_eq!(
            plan(&high, 720, 960, &profile()),
            Err(CropProblem::HeadTooHigh)
        );
    }
}
