//! One pass of the models over a frame: the faces, the main face's mesh,
//! the person mask, and from them the head geometry and the crop plan.

use image::RgbImage;

use super::crop::{self, Crop, CropProblem, HeadGeometry};
use super::profile::Profile;
use super::render::Rendered;
use crate::Result;
use crate::vision::{CAPTURE_SIDE, Face, Mesh, Models, PersonMask, Point, Rect};

/// Detections under this score are not counted as faces.
pub const FACE_SCORE: f32 = 0.7;
/// Share of person pixels across the head's middle columns that marks the
/// top of the head when scanning the mask down from the top of the frame.
const HEAD_TOP_FILL: f32 = 0.3;

pub struct Analysis {
    pub width: u32,
    pub height: u32,
    pub faces: Vec<Face>,
    /// Detections under the face score: possible faces near the student.
    pub weak_faces: Vec<Face>,
    pub mesh: Option<Mesh>,
    pub mask: Option<PersonMask>,
    pub head: Option<HeadGeometry>,
    pub crop: Option<std::result::Result<Crop, CropProblem>>,
    /// The output photo rendered from the planned crop, made by
    /// `check_photo` and not by the live checks.
    pub rendered: Option<Rendered>,
}

impl Analysis {
    /// Returns the face the rules judge: the only one, or none when there are
    /// zero or several.
    pub fn face(&self) -> Option<&Face> {
        match self.faces.as_slice() {
            [face] => Some(face),
            _ => None,
        }
    }

    /// Returns the planned crop, or the nearest one inside the frame when no crop
    /// meets every band.
    pub fn crop_or_nearest(&self, profile: &Profile) -> Option<Crop> {
        let head = self.head.as_ref()?;
        match self.crop? {
            Ok(crop) => Some(crop),
            Err(_) => Some(crop::nearest(head, self.width, self.height, profile)),
        }
    }

    /// Returns the face region used for exposure and sharpness: the mesh's face
    /// oval between the eyebrows and the chin, or the detector's box.
    pub fn face_region(&self) -> Option<Rect> {
        let face = self.face()?;
        let Some(mesh) = self.usable_mesh() else {
            return Some(face.bbox);
        };
        let left = mesh.point(234).x.min(mesh.point(454).x);
        let right = mesh.point(234).x.max(mesh.point(454).x);
        let top = mesh.point(151).y.min(mesh.point(9).y);
        let bottom = mesh.chin().y;
        Some(Rect {
            x: left,
            y: top,
            width: right - left,
            height: bottom - top,
        })
    }

    pub fn usable_mesh(&self) -> Option<&Mesh> {
        self.mesh.as_ref().filter(|m| m.presence >= 0.5)
    }

    /// Centres of the person's right and left eyes, from the mesh where it
    /// is usable, else from the detector.
    pub fn eyes(&self) -> Option<(Point, Point)> {
        let face = self.face()?;
        Some(
            self.usable_mesh()
                .map_or((face.right_eye, face.left_eye), Mesh::eye_centers),
        )
    }
}

/// Runs the detector at the capture's size, and for a single face the mesh
/// and the person mask.
pub fn analyse(image: &RgbImage, models: &Models, profile: &Profile) -> Result<Analysis> {
    analyse_within(image, models, profile, CAPTURE_SIDE)
}

/// Runs the detector on `image` scaled to fit `detector_side`, and for a
/// single face the mesh and the person mask.
///
/// The mask does not depend on the face, so it is computed on the mask's
/// own thread while the detector and the mesh run. It is kept only when
/// there is a single face, as the rules that read it judge that face.
/// With no face in the frame its work is wasted: about 15 ms on the mask's
/// thread for each live check of an empty booth.
pub fn analyse_within(
    image: &RgbImage,
    models: &Models,
    profile: &Profile,
    detector_side: u32,
) -> Result<Analysis> {
    let mask = models.segmenter.start(image);
    let faces = models.detector.detect_within(image, detector_side);
    let (faces, weak_faces): (Vec<Face>, Vec<Face>) =
        faces?.into_iter().partition(|f| f.score >= FACE_SCORE);
    let mut analysis = Analysis {
        width: image.width(),
        height: image.height(),
        faces,
        weak_faces,
        mesh: None,
        mask: None,
        head: None,
        crop: None,
        rendered: None,
    };
    let Some(face) = analysis.face().cloned() else {
        return Ok(analysis);
    };

    analysis.mesh = Some(models.mesh.landmarks(image, &face)?);
    analysis.mask = Some(mask.wait()?);
    let head = head_geometry(&analysis, &face);
    analysis.crop = Some(crop::plan(&head, image.width(), image.height(), profile));
    analysis.head = Some(head);
    Ok(analysis)
}

fn head_geometry(analysis: &Analysis, face: &Face) -> HeadGeometry {
    let (right, left) = analysis.eyes().unwrap_or((face.right_eye, face.left_eye));
    let eye_line = (right.y + left.y) / 2.0;
    let (face_width, center_x, chin) = match analysis.usable_mesh() {
        Some(mesh) => {
            let center = mesh.point(234).midpoint(mesh.point(454)).x;
            (mesh.face_width(), center, mesh.chin().y)
        }
        None => (face.bbox.width, face.eye_center().x, face.bbox.bottom()),
    };

    // Without a mask the crown is estimated from the face: the eyes sit
    // about halfway between the chin and the top of the head.
    let estimate = eye_line - (chin - eye_line) * 1.1;
    let top = analysis
        .mask
        .as_ref()
        .and_then(|mask| mask_head_top(mask, center_x, face_width, eye_line, analysis.width))
        .map_or(estimate, |top| top.max(estimate - (chin - eye_line)));
    HeadGeometry {
        top,
        eye_line,
        chin,
        face_width,
        center_x,
    }
}

/// Scans the person mask down the middle half of the face's width and
/// returns the first row where the head fills enough of it.
fn mask_head_top(
    mask: &PersonMask,
    center_x: f32,
    face_width: f32,
    eye_line: f32,
    width: u32,
) -> Option<f32> {
    let x0 = (center_x - face_width / 4.0).max(0.0) as u32;
    let x1 = ((center_x + face_width / 4.0) as u32).min(width);
    if x1 <= x0 {
        return None;
    }
    for y in 0..eye_line.max(0.0) as u32 {
        let filled = (x0..x1).filter(|&x| mask.is_person(x, y)).count();
        if filled as f32 >= HEAD_TOP_FILL * (x1 - x0) as f32 {
            return Some(y as f32);
        }
    }
    None
}
