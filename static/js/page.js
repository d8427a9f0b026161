// What every page module needs: its data and strings from the page, and small DOM helpers.
// Text from users is only ever set with textContent, never as HTML.

export function pageData() {
  return JSON.parse(document.getElementById("page-data").textContent);
}

const readStrings = (id) => JSON.parse(document.getElementById(id)?.textContent || "{}");
const strings = { ...readStrings("common-strings"), ...readStrings("strings") };

// Translated string by key, with {name} placeholders filled from `values`.
export function t(key, values = {}) {
  const template = strings[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// Create an element: el("button", {class: "x", type: "button", onclick: fn}, "text", child…)
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value == null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// The key from a link's fragment (#key=…): it never reaches the server, logs or Referer.
export function keyFromFragment() {
  return new URLSearchParams(window.location.hash.slice(1)).get("key");
}

// A live region for screen readers.
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}
