// The head-and-shoulders outline drawn over the live preview, in camera
// pixels (the SVG viewBox is the camera frame).

import type { CameraState } from "./bindings/CameraState";
import { svg } from "./dom";

/** Outline geometry in camera pixels. */
export type OutlineGeometry = {
  crop: { x: number; y: number; width: number; height: number };
  head: { cx: number; cy: number; rx: number; ry: number };
  eyeY: number;
};

/**
 * Converts the backend's `Outline` fractions to camera pixels. The head's
 * top is at `head_top`, its width is `face_width` and its eye line at
 * `eye_line`, all fractions of the whole frame, and it is centred across the
 * crop. The eyes sit near the middle of the head's height (top of the head
 * to chin), so the ellipse is centred on the eye line.
 */
export function outlineGeometry(camera: CameraState): OutlineGeometry {
  const width = camera.frame_width;
  const height = camera.frame_height;
  const o = camera.outline;
  const crop = {
    x: o.crop_left * width,
    y: o.crop_top * height,
    width: o.crop_width * width,
    height: o.crop_height * height,
  };
  const top = o.head_top * height;
  const eyeY = o.eye_line * height;
  return {
    crop,
    head: {
      cx: crop.x + crop.width / 2,
      cy: eyeY,
      rx: (o.face_width * width) / 2,
      ry: Math.max(eyeY - top, 1),
    },
    eyeY,
  };
}

/** Path of the neck and shoulders, from under the chin to the bottom of the crop. */
function shouldersPath(geometry: OutlineGeometry): string {
  const { crop, head } = geometry;
  const chin = head.cy + head.ry;
  const bottom = crop.y + crop.height;
  const neck = head.rx * 0.55;
  const shoulder = Math.min(head.rx * 2.7, crop.width / 2);
  const shoulderY = Math.min(chin + head.ry * 0.6, bottom);
  const left = head.cx - shoulder;
  const right = head.cx + shoulder;
  return [
    `M${head.cx - neck} ${chin - head.ry * 0.08}`,
    `L${head.cx - neck} ${chin + head.ry * 0.2}`,
    `C${head.cx - neck * 1.6} ${shoulderY - head.ry * 0.1} ${left} ${shoulderY - head.ry * 0.15} ${left} ${bottom}`,
    `M${head.cx + neck} ${chin - head.ry * 0.08}`,
    `L${head.cx + neck} ${chin + head.ry * 0.2}`,
    `C${head.cx + neck * 1.6} ${shoulderY - head.ry * 0.1} ${right} ${shoulderY - head.ry * 0.15} ${right} ${bottom}`,
  ].join(" ");
}

/**
 * Redraws `target` for `camera`: a dimmed area outside the crop, the crop
 * border, the head ellipse, the eye line and the shoulders. The live screen
 * sets the ready state as a class so CSS can recolour the drawing, and the
 * hint text beside the preview states it in words.
 */
export function drawOutline(target: SVGSVGElement, camera: CameraState, label: string): void {
  const width = camera.frame_width;
  const height = camera.frame_height;
  const geometry = outlineGeometry(camera);
  const { crop, head, eyeY } = geometry;
  target.setAttribute("viewBox", `0 0 ${width} ${height}`);
  target.setAttribute("preserveAspectRatio", "xMidYMid meet");
  const stroke = Math.max(width, height) / 300;

  target.replaceChildren(
    svg("title", {}),
    svg("path", {
      class: "outline-shade",
      "fill-rule": "evenodd",
      d: `M0 0H${width}V${height}H0Z M${crop.x} ${crop.y}h${crop.width}v${crop.height}h${-crop.width}Z`,
    }),
    svg("rect", {
      class: "outline-crop",
      x: crop.x,
      y: crop.y,
      width: crop.width,
      height: crop.height,
      "stroke-width": stroke,
    }),
    svg("line", {
      class: "outline-eyes",
      x1: crop.x,
      x2: crop.x + crop.width,
      y1: eyeY,
      y2: eyeY,
      "stroke-width": stroke,
      "stroke-dasharray": `${stroke * 4} ${stroke * 3}`,
    }),
    svg("ellipse", {
      class: "outline-head",
      cx: head.cx,
      cy: head.cy,
      rx: head.rx,
      ry: head.ry,
      "stroke-width": stroke * 1.6,
    }),
    svg("path", { class: "outline-body", d: shouldersPath(geometry), "stroke-width": stroke * 1.6 }),
  );
  setOutlineLabel(target, label);
}

export function setOutlineLabel(target: SVGSVGElement, label: string): void {
  const title = target.querySelector("title");
  if (title !== null) {
    title.textContent = label;
  }
}
