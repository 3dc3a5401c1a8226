// Small DOM helpers shared by the screens.

const svgNamespace = "http://www.w3.org/2000/svg";

/** Returns the element with `id`, or throws when it is missing or of another type. */
export function byId<T extends Element>(id: string, type: abstract new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) {
    throw new Error(`element #${id} is missing from index.html or is not a ${type.name}`);
  }
  return element;
}

export type Attributes = Record<string, string | number>;

/** Creates an HTML element with attributes and an optional text content. */
export function html<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  if (text !== undefined) {
    element.textContent = text;
  }
  return element;
}

/** Creates an SVG element with attributes and children. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  children: SVGElement[] = [],
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNamespace, tag);
  setAttributes(element, attributes);
  element.append(...children);
  return element;
}

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, String(value));
  }
}
