// Drawings for the guide screen: one small portrait per photo requirement and
// one side view of how to stand. Captions come from the locale files, so the
// drawings contain no words.

import { svg } from "./dom";

export type PictureName =
  | "stand"
  | "glasses"
  | "ears_brows"
  | "clothes"
  | "expression"
  | "mouth"
  | "look"
  | "square"
  | "no_hat";

const skin = "#f0c8a0";
const outline = "#4a3020";
const hair = "#2a1d16";
const clothes = "#1f2b38";
const mark = "#0a58a8";
const forbidden = "#b3261e";

type PortraitOptions = { glasses?: boolean };

/** Head and shoulders facing the viewer in a 120x120 box, eyes at y=47. */
function portrait(options: PortraitOptions = {}): SVGElement[] {
  const parts: SVGElement[] = [
    svg("rect", { x: 0, y: 0, width: 120, height: 120, rx: 10, fill: "#e6edf4" }),
    svg("path", { d: "M12 120C14 97 35 88 60 88S106 97 108 120Z", fill: clothes }),
    svg("path", { d: "M50 88L60 101L70 88Z", fill: "#d9dee4" }),
    svg("rect", { x: 52, y: 72, width: 16, height: 18, fill: skin }),
    svg("ellipse", { cx: 33, cy: 51, rx: 5, ry: 8, fill: skin, stroke: outline, "stroke-width": 1.5 }),
    svg("ellipse", { cx: 87, cy: 51, rx: 5, ry: 8, fill: skin, stroke: outline, "stroke-width": 1.5 }),
    svg("ellipse", { cx: 60, cy: 48, rx: 26, ry: 31, fill: skin, stroke: outline, "stroke-width": 1.5 }),
    // Hair stays above the eyebrows and behind the ears.
    svg("path", { d: "M32 46C28 6 92 6 88 46C85 34 73 30 60 30S35 34 32 46Z", fill: hair }),
    svg("path", { d: "M43 39.5h11M66 39.5h11", stroke: hair, "stroke-width": 2.5, "stroke-linecap": "round" }),
    svg("circle", { cx: 49, cy: 47, r: 2.8, fill: hair }),
    svg("circle", { cx: 71, cy: 47, r: 2.8, fill: hair }),
    svg("path", { d: "M60 50v8.5h-3.5", fill: "none", stroke: outline, "stroke-width": 1.5, "stroke-linecap": "round" }),
    svg("path", { d: "M53 67h14", stroke: outline, "stroke-width": 2, "stroke-linecap": "round" }),
  ];
  if (options.glasses === true) {
    const frame = { fill: "none", stroke: "#111111", "stroke-width": 2 };
    parts.push(
      svg("rect", { x: 40, y: 41, width: 18, height: 13, rx: 4, ...frame }),
      svg("rect", { x: 62, y: 41, width: 18, height: 13, rx: 4, ...frame }),
      svg("path", { d: "M58 46h4M40 45l-7 2M80 45l7 2", ...frame }),
    );
  }
  return parts;
}

/** Draws a dashed ring that points out one part of a portrait. */
function highlight(cx: number, cy: number, rx: number, ry: number): SVGElement {
  return svg("ellipse", {
    cx,
    cy,
    rx,
    ry,
    fill: "none",
    stroke: mark,
    "stroke-width": 2.5,
    "stroke-dasharray": "4 3",
  });
}

function portraitPicture(name: Exclude<PictureName, "stand">): SVGElement[] {
  switch (name) {
    case "glasses":
      // Clear lenses: the eyes show through, with no white reflection.
      return [...portrait({ glasses: true }), highlight(60, 47.5, 27, 11)];
    case "ears_brows":
      return [
        ...portrait(),
        highlight(33, 51, 9, 12),
        highlight(87, 51, 9, 12),
        highlight(60, 39.5, 23, 6),
      ];
    case "clothes":
      return [...portrait(), highlight(60, 106, 44, 15)];
    case "expression":
      return [...portrait(), highlight(60, 54, 30, 22)];
    case "mouth":
      return [...portrait(), highlight(60, 67, 12, 6)];
    case "look":
      return [
        ...portrait(),
        svg("rect", { x: 52, y: 2, width: 16, height: 10, rx: 2, fill: "#111111" }),
        svg("circle", { cx: 60, cy: 7, r: 3, fill: "#e6edf4" }),
        svg("path", {
          d: "M49 44L58 12M71 44L62 12",
          stroke: mark,
          "stroke-width": 2,
          "stroke-dasharray": "3 3",
        }),
      ];
    case "square":
      return [
        ...portrait(),
        svg("path", {
          d: "M60 8V116M22 47H98",
          stroke: mark,
          "stroke-width": 2,
          "stroke-dasharray": "5 4",
        }),
      ];
    case "no_hat":
      return [
        ...portrait(),
        svg("path", { d: "M30 24C30 4 90 4 90 24H100V30H20V24Z", fill: "#7a5c3e", opacity: 0.85 }),
        svg("path", {
          d: "M24 4L96 34M96 4L24 34",
          stroke: forbidden,
          "stroke-width": 5,
          "stroke-linecap": "round",
        }),
      ];
  }
}

/** Draws a side view: camera on a stand, the student on the floor mark, eyes level with the lens. */
function standPicture(): SVGElement[] {
  return [
    svg("rect", { x: 0, y: 0, width: 240, height: 160, rx: 10, fill: "#e6edf4" }),
    svg("path", { d: "M10 146H230", stroke: "#555555", "stroke-width": 2 }),
    // Camera on a tripod, lens at y=52.
    svg("rect", { x: 22, y: 42, width: 30, height: 20, rx: 3, fill: "#111111" }),
    svg("rect", { x: 52, y: 46, width: 8, height: 12, fill: "#111111" }),
    svg("path", { d: "M37 62V146M37 100L22 146M37 100L52 146", stroke: "#111111", "stroke-width": 3 }),
    // The student, facing the camera.
    svg("circle", { cx: 178, cy: 52, r: 16, fill: skin, stroke: outline, "stroke-width": 1.5 }),
    svg("path", { d: "M158 146V96C158 78 198 78 198 96V146Z", fill: clothes }),
    svg("rect", { x: 172, y: 66, width: 12, height: 12, fill: skin }),
    svg("circle", { cx: 167, cy: 50, r: 2.2, fill: hair }),
    svg("path", { d: "M162 40C164 30 190 28 194 44C190 36 170 34 162 40Z", fill: hair }),
    // Floor mark under the feet.
    svg("path", { d: "M150 150H206", stroke: mark, "stroke-width": 5, "stroke-linecap": "round" }),
    // Eyes level with the lens.
    svg("path", { d: "M62 52H162", stroke: mark, "stroke-width": 2, "stroke-dasharray": "6 4" }),
    // Distance between camera and student.
    svg("path", {
      d: "M48 132H148M56 126L48 132L56 138M140 126L148 132L140 138",
      fill: "none",
      stroke: "#333333",
      "stroke-width": 2,
    }),
  ];
}

export function picture(name: PictureName): SVGSVGElement {
  const stand = name === "stand";
  return svg(
    "svg",
    {
      class: stand ? "picture picture-wide" : "picture",
      viewBox: stand ? "0 0 240 160" : "0 0 120 120",
      "aria-hidden": "true",
      focusable: "false",
    },
    stand ? standPicture() : portraitPicture(name),
  );
}

export function isPictureName(value: string): value is PictureName {
  return [
    "stand",
    "glasses",
    "ears_brows",
    "clothes",
    "expression",
    "mouth",
    "look",
    "square",
    "no_hat",
  ].includes(value);
}
