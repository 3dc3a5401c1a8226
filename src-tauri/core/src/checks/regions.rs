//! Regions of the face located from the 468-point mesh: eyes, lens areas,
//! eyebrows, cheeks, forehead, ears and the clothes below the chin.
//!
//! Boxes are axis-aligned in frame pixels; the pose rules keep the roll
//! small enough for that.

use crate::vision::{Mesh, Point, Rect};

/// Mesh indices of the eye corners and lids: outer, inner, upper, lower.
const RIGHT_EYE: [usize; 4] = [33, 133, 159, 145];
const LEFT_EYE: [usize; 4] = [263, 362, 386, 374];
/// Mesh indices along the top of each eyebrow.
const RIGHT_BROW: [usize; 5] = [70, 63, 105, 66, 107];
const LEFT_BROW: [usize; 5] = [300, 293, 334, 296, 336];
/// Cheek points under each eye, and the nose tip.
const RIGHT_CHEEK: usize = 50;
const LEFT_CHEEK: usize = 280;
const NOSE_TIP: usize = 1;

/// One eye: its box between the corners and lids, its centre and width.
#[derive(Debug, Clone, Copy)]
pub struct Eye {
    pub rect: Rect,
    pub center: Point,
    pub width: f32,
}

fn span(points: &[Point]) -> Rect {
    let x0 = points.iter().map(|p| p.x).fold(f32::MAX, f32::min);
    let x1 = points.iter().map(|p| p.x).fold(f32::MIN, f32::max);
    let y0 = points.iter().map(|p| p.y).fold(f32::MAX, f32::min);
    let y1 = points.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    Rect {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    }
}

fn around(center: Point, half_width: f32, half_height: f32) -> Rect {
    Rect {
        x: center.x - half_width,
        y: center.y - half_height,
        width: 2.0 * half_width,
        height: 2.0 * half_height,
    }
}

/// Locates the person's right and left eyes.
pub fn eyes(mesh: &Mesh) -> [Eye; 2] {
    [RIGHT_EYE, LEFT_EYE].map(|[outer, inner, upper, lower]| {
        let (a, b) = (mesh.point(outer), mesh.point(inner));
        let width = a.distance(b);
        let rect = span(&[a, b, mesh.point(upper), mesh.point(lower)]);
        Eye {
            rect,
            center: a.midpoint(b),
            width,
        }
    })
}

/// Locates the area a spectacle lens covers around each eye: the eye
/// widened by 40 % of its width on each side, from the eyebrow down to
/// 60 % of the eye's width below the eye's centre.
pub fn lenses(mesh: &Mesh) -> [Rect; 2] {
    let brows = eyebrows(mesh);
    let eyes = eyes(mesh);
    [0, 1].map(|i| {
        let eye = eyes[i];
        let top = brows[i].bottom();
        let bottom = eye.center.y + 0.6 * eye.width;
        Rect {
            x: eye.center.x - 0.9 * eye.width,
            y: top,
            width: 1.8 * eye.width,
            height: (bottom - top).max(1.0),
        }
    })
}

/// Locates each eyebrow: the box of its top edge, extended down by a fifth
/// of the eye's width.
pub fn eyebrows(mesh: &Mesh) -> [Rect; 2] {
    let widths = eyes(mesh).map(|e| e.width);
    let brows = [RIGHT_BROW, LEFT_BROW];
    [0, 1].map(|i| {
        let points = brows[i].map(|index| mesh.point(index));
        let top = span(&points);
        Rect {
            height: top.height + 0.2 * widths[i],
            ..top
        }
    })
}

/// Locates a strip of skin above each eyebrow, 0.3 eye widths high and a
/// tenth of an eye width clear of the brow.
pub fn above_brows(mesh: &Mesh) -> [Rect; 2] {
    let widths = eyes(mesh).map(|e| e.width);
    let brows = eyebrows(mesh);
    [0, 1].map(|i| Rect {
        y: brows[i].y - 0.4 * widths[i],
        height: 0.3 * widths[i],
        ..brows[i]
    })
}

/// Locates skin patches on the cheeks, below the eyes and beside the nose.
pub fn cheeks(mesh: &Mesh) -> [Rect; 2] {
    let half = mesh.face_width() * 0.07;
    [RIGHT_CHEEK, LEFT_CHEEK].map(|i| around(mesh.point(i), half, half))
}

/// Locates the skin patches where flash and lamps leave hot spots: both
/// cheeks, the forehead and the tip of the nose.
pub fn skin_patches(mesh: &Mesh) -> [Rect; 4] {
    let [right, left] = cheeks(mesh);
    let nose = around(
        mesh.point(NOSE_TIP),
        mesh.face_width() * 0.06,
        mesh.face_width() * 0.05,
    );
    [right, left, forehead(mesh), nose]
}

/// Locates a skin patch in the middle of the forehead, just above the
/// eyebrows.
pub fn forehead(mesh: &Mesh) -> Rect {
    let brows = eyebrows(mesh);
    let top_of_brows = brows[0].y.min(brows[1].y);
    let half = mesh.face_width() * 0.08;
    let center = Point::new(mesh.point(9).x, top_of_brows - half * 1.2);
    around(center, half, half * 0.8)
}

/// Locates the strip just above the forehead landmark (point 10, below
/// the hairline on a bare forehead), where a brim or a cap sits.
pub fn above_forehead(mesh: &Mesh) -> Rect {
    let top = mesh.forehead();
    let half = mesh.face_width() * 0.12;
    let height = (mesh.chin().y - top.y) * 0.12;
    Rect {
        x: top.x - half,
        y: top.y - height,
        width: 2.0 * half,
        height,
    }
}

/// Locates the ears of a frontal face: beside the face oval's widest
/// points (234 and 454), from the eye line to the nose tip.
pub fn ears(mesh: &Mesh) -> [Rect; 2] {
    let width = mesh.face_width() * 0.12;
    let eye_line = (eyes(mesh)[0].center.y + eyes(mesh)[1].center.y) / 2.0;
    let bottom = mesh.point(NOSE_TIP).y;
    let height = (bottom - eye_line).max(1.0);
    let (right, left) = (mesh.point(234), mesh.point(454));
    let (image_left, image_right) = if right.x <= left.x {
        (right, left)
    } else {
        (left, right)
    };
    [
        Rect {
            x: image_left.x - width,
            y: eye_line,
            width,
            height,
        },
        Rect {
            x: image_right.x,
            y: eye_line,
            width,
            height,
        },
    ]
}

/// Splits the face at the nose into its image-left and image-right
/// halves, between the eyebrows and the mouth.
pub fn face_halves(mesh: &Mesh) -> [Rect; 2] {
    let (right, left) = (mesh.point(234), mesh.point(454));
    let (x0, x1) = (right.x.min(left.x), right.x.max(left.x));
    let middle = mesh.point(NOSE_TIP).x;
    let top = eyebrows(mesh)[0].y.min(eyebrows(mesh)[1].y);
    let bottom = mesh.point(14).y;
    let inset = (x1 - x0) * 0.1;
    let height = (bottom - top).max(1.0);
    [
        Rect {
            x: x0 + inset,
            y: top,
            width: (middle - x0 - inset).max(1.0),
            height,
        },
        Rect {
            x: middle,
            y: top,
            width: (x1 - inset - middle).max(1.0),
            height,
        },
    ]
}

/// Locates the clothes: from 60 % of the eye-to-chin distance below the
/// chin down to `bottom`, as wide as two faces.
pub fn clothes(mesh: &Mesh, bottom: f32) -> Rect {
    let chin = mesh.chin();
    let [right, left] = eyes(mesh).map(|e| e.center);
    let eye_line = (right.y + left.y) / 2.0;
    let top = chin.y + (chin.y - eye_line) * 0.6;
    let width = mesh.face_width() * 2.0;
    Rect {
        x: chin.x - width / 2.0,
        y: top,
        width,
        height: (bottom - top).max(0.0),
    }
}
