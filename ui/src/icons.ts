// Symbols drawn next to status words and hints, so that no state is carried
// by colour alone. Each is a 24x24 stroke drawing in the current text colour,
// hidden from screen readers because a word is always shown beside it.

import type { Hint } from "./bindings/Hint";
import type { RuleStatus } from "./bindings/RuleStatus";
import { svg } from "./dom";

export type IconName =
  | "check"
  | "cross"
  | "warning"
  | "dash"
  | "arrow-left"
  | "arrow-right"
  | "arrow-up"
  | "arrow-down"
  | "closer"
  | "back"
  | "level"
  | "sun"
  | "moon"
  | "person"
  | "people"
  | "camera"
  | "lock"
  | "trash";

// Path data for each icon in a 24x24 box.
const paths: Record<IconName, string[]> = {
  check: ["M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20", "M7 12.5l3.2 3.2L17 9"],
  cross: ["M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20", "M8 8l8 8M16 8l-8 8"],
  warning: ["M12 2.5L22 20.5H2Z", "M12 9v5.5", "M12 17.2v.3"],
  dash: ["M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20", "M7.5 12h9"],
  "arrow-left": ["M20 12H5", "M11 6l-6 6l6 6"],
  "arrow-right": ["M4 12h15", "M13 6l6 6l-6 6"],
  "arrow-up": ["M12 20V5", "M6 11l6-6l6 6"],
  "arrow-down": ["M12 4v15", "M6 13l6 6l6-6"],
  closer: ["M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5", "M9 9l-4-4M15 9l4-4M9 15l-4 4M15 15l4 4"],
  back: ["M9 4v5H4M15 4v5h5M9 20v-5H4M15 20v-5h5", "M4 4l5 5M20 4l-5 5M4 20l5-5M20 20l-5-5"],
  level: ["M3 12h18", "M6 7.5a8 8 0 0 1 12 0", "M18 7.5l.4-3.4M18 7.5l-3.4-.2"],
  sun: [
    "M12 7.5a4.5 4.5 0 1 0 0 9a4.5 4.5 0 1 0 0-9",
    "M12 1.5v3M12 19.5v3M1.5 12h3M19.5 12h3M4.6 4.6l2.1 2.1M17.3 17.3l2.1 2.1M4.6 19.4l2.1-2.1M17.3 6.7l2.1-2.1",
  ],
  moon: ["M20 14.5A8.5 8.5 0 0 1 9.5 4a8.5 8.5 0 1 0 10.5 10.5Z"],
  person: ["M12 3.5a4 4 0 1 0 0 8a4 4 0 1 0 0-8", "M4 21c0-4.5 3.6-7.5 8-7.5s8 3 8 7.5"],
  people: [
    "M8.5 4.5a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7",
    "M2 21c0-4 2.9-6.5 6.5-6.5S15 17 15 21",
    "M16 4.8a3.2 3.2 0 1 1 0 6.4",
    "M17.5 14.7c2.6.6 4.5 2.9 4.5 6.3",
  ],
  camera: ["M3 7.5h4l2-2.5h6l2 2.5h4V19H3Z", "M12 9.5a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7"],
  lock: ["M5 11h14v10H5Z", "M8 11V7.5a4 4 0 0 1 8 0V11", "M12 15v2.5"],
  trash: ["M4 6.5h16", "M9 6.5V4h6v2.5", "M6.5 6.5l1 14h9l1-14", "M10 10.5v6M14 10.5v6"],
};

export function icon(name: IconName, className = "icon"): SVGSVGElement {
  const strokes = paths[name].map((d) => svg("path", { d }));
  return svg(
    "svg",
    {
      class: className,
      viewBox: "0 0 24 24",
      fill: "none",
      stroke: "currentColor",
      "stroke-width": 2.2,
      "stroke-linecap": "round",
      "stroke-linejoin": "round",
      "aria-hidden": "true",
      focusable: "false",
    },
    strokes,
  );
}

export const statusIcons: Record<RuleStatus, IconName> = {
  pass: "check",
  fail: "cross",
  advisory: "warning",
  not_assessed: "dash",
};

export const hintIcons: Record<Hint, IconName> = {
  no_face: "person",
  many_faces: "people",
  move_closer: "closer",
  move_back: "back",
  move_left: "arrow-left",
  move_right: "arrow-right",
  move_up: "arrow-up",
  move_down: "arrow-down",
  level_head: "level",
  face_camera: "person",
  open_eyes: "person",
  close_mouth: "person",
  too_dark: "moon",
  too_bright: "sun",
  ready: "check",
};
