// The board's cards and clusters, drawn from the model. Elements are kept per card and per
// cluster id and only moved, added or changed where the model differs from the page, so a
// render with 300 cards is cheap, keeps focus and scroll positions, and new cards can animate.
// User text (cards, names) is only ever set with textContent.
// A hidden card (a hidden card query) is drawn face down, on the moderator's board too (it is
// often what the room sees): no text, colour or author, only the back of a card.

import { el, t } from "./page.js";

const LETTERS = "abcdefghijklmnopqrstuvwxyz";
const SVG = "http://www.w3.org/2000/svg";

function svgIcon(className, paths) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const d of paths) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

// The mark of a card typed in from paper: a sheet with a folded corner.
export function paperMark() {
  return el("span", { class: "paper-mark" },
    svgIcon("paper-icon", ["M6 2h8l5 5v15H6V2Zm7 1.5V8h4.5L13 3.5ZM8.5 12h8v1.5h-8V12Zm0 3.5h8V17h-8v-1.5Z"]),
    el("span", {}, t("paperMark")));
}

// "3×" on a stack of three cards (its top and two on it); the spoken text says what it is.
export function stackBadge() {
  const count = el("span", { class: "stack-count", "aria-hidden": "true" });
  const spoken = el("span", { class: "visually-hidden" });
  return { el: el("span", { class: "stack-badge" }, count, spoken), count, spoken };
}

export function setStackBadge(badge, size) {
  setText(badge.count, `${size}×`);
  setText(badge.spoken, t("stackOf", { count: size }));
  badge.el.hidden = size < 2;
}

// The colours of the first two cards beneath a stack's top, which peek out below it.
export function showUnderneath(node, card) {
  const stack = card.stack ?? [];
  for (const [index, name] of [[0, "under1"], [1, "under2"]]) {
    const below = stack[index];
    const color = below ? (below.hidden ? "hidden" : below.color || "yellow") : null;
    if ((node.dataset[name] ?? null) === color) continue;
    if (color) node.dataset[name] = color;
    else delete node.dataset[name];
  }
}

// The mark on the back of a hidden card: a crossed-out eye.
function hiddenMark() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "card-back-mark");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const d of ["M2.5 12S6 6 12 6s9.5 6 9.5 6S18 18 12 18 2.5 12 2.5 12Z", "M4 20 20 4"]) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  const pupil = document.createElementNS(SVG, "circle");
  pupil.setAttribute("cx", "12");
  pupil.setAttribute("cy", "12");
  pupil.setAttribute("r", "2.6");
  svg.append(pupil);
  return svg;
}

// "a." … "z.", "aa." … for letter lists.
function letterOf(index) {
  let n = index;
  let out = "";
  do {
    out = LETTERS[n % 26] + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

export function marker(listStyle, index) {
  if (listStyle === "number") return `${index + 1}.`;
  if (listStyle === "letter") return `${letterOf(index)}.`;
  return "";
}

function countText(count) {
  return count === 1 ? t("cardCountOne") : t("cardCount", { count });
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

// Make `parent`'s children (those matching `selector`) exactly `wanted`, in order, moving as
// few nodes as possible. Returns true when anything moved.
function reconcileChildren(parent, wanted, isManaged) {
  let changed = false;
  let cursor = parent.firstElementChild;
  while (cursor && !isManaged(cursor)) cursor = cursor.nextElementSibling;
  for (const node of wanted) {
    if (cursor === node) {
      cursor = cursor.nextElementSibling;
      while (cursor && !isManaged(cursor)) cursor = cursor.nextElementSibling;
      continue;
    }
    parent.insertBefore(node, cursor);
    changed = true;
  }
  // Whatever managed node is left after the wanted ones does not belong here (any more).
  while (cursor) {
    const next = cursor.nextElementSibling;
    if (isManaged(cursor)) {
      cursor.remove();
      changed = true;
    }
    cursor = next;
  }
  return changed;
}

const isCard = (node) => node.classList.contains("card");
const isCluster = (node) => node.classList.contains("cluster");

export class BoardView {
  // refs: {layout, inbox, inboxList, inboxCount, clusters}; hooks (moderator only): see board-moderator.js.
  constructor(refs, { interactive = false, hooks = {} } = {}) {
    this.refs = refs;
    this.interactive = interactive;
    this.hooks = hooks;
    this.cards = new Map(); // card id -> {el, text, color, author, markerEl, textEl, authorEl}
    this.clusters = new Map(); // cluster id -> {el, list, …}
    this.boardId = null;
    this.refs.inboxList.dataset.clusterId = "";
    this.hooks.containerCreated?.(this.refs.inboxList, null);
  }

  // ---- cards -----------------------------------------------------------------------------

  cardElement(card) {
    let entry = this.cards.get(card.id);
    if (!entry) {
      const markerEl = el("span", { class: "card-marker", "aria-hidden": "true" });
      const textEl = el("span", { class: "card-text" });
      const authorName = el("span", { class: "author-name", "aria-hidden": "true" });
      const authorSpoken = el("span", { class: "visually-hidden" });
      const authorEl = el("span", { class: "author" }, authorSpoken, authorName);
      const backEl = el("span", { class: "card-back" }, hiddenMark(), el("span", { class: "visually-hidden" }, t("hiddenCard")));
      const paperEl = paperMark();
      const stack = stackBadge();
      const node = el("li", { class: "card", dataset: { cardId: String(card.id) } }, markerEl, textEl, backEl, authorEl, paperEl, stack.el);
      if (this.interactive) {
        node.tabIndex = 0;
        node.setAttribute("aria-describedby", "card-help");
      }
      entry = {
        el: node, markerEl, textEl, backEl, authorEl, authorName, authorSpoken, paperEl, stack,
        text: null, color: null, author: null, marker: null, faceDown: null, onPaper: null, stackSize: null,
      };
      this.cards.set(card.id, entry);
      this.hooks.cardCreated?.(node, card);
    }
    const faceDown = Boolean(card.hidden);
    if (entry.faceDown !== faceDown) {
      entry.el.classList.toggle("face-down", faceDown);
      entry.backEl.hidden = !faceDown;
      entry.textEl.hidden = faceDown;
      entry.faceDown = faceDown;
    }
    const text = faceDown ? "" : card.text;
    if (entry.text !== text) {
      entry.textEl.textContent = text;
      entry.text = text;
    }
    const color = faceDown ? null : card.color;
    if (entry.color !== color) {
      if (color) entry.el.dataset.color = color;
      else if (faceDown) delete entry.el.dataset.color;
      else entry.el.dataset.color = "yellow";
      entry.color = color;
    }
    const author = !faceDown && card.author_role === "participant" && card.author_name ? card.author_name : "";
    if (entry.author !== author) {
      entry.authorName.textContent = author;
      entry.authorSpoken.textContent = author ? ` ${t("byAuthor", { name: author })}` : "";
      entry.authorEl.hidden = !author;
      entry.author = author;
    }
    const onPaper = !faceDown && Boolean(card.on_paper);
    if (entry.onPaper !== onPaper) {
      entry.paperEl.hidden = !onPaper;
      entry.onPaper = onPaper;
    }
    const stackSize = 1 + (card.stack?.length ?? 0);
    if (entry.stackSize !== stackSize) {
      setStackBadge(entry.stack, stackSize);
      entry.el.classList.toggle("is-stack", stackSize > 1);
      entry.stackSize = stackSize;
    }
    showUnderneath(entry.el, card);
    return entry;
  }

  renderCards(list, cards, listStyle, seen) {
    const wanted = cards.map((card, index) => {
      const entry = this.cardElement(card);
      const text = marker(listStyle, index);
      if (entry.marker !== text) {
        entry.markerEl.textContent = text;
        entry.markerEl.hidden = !text;
        entry.marker = text;
      }
      seen.add(card.id);
      return entry.el;
    });
    return reconcileChildren(list, wanted, isCard);
  }

  // ---- clusters --------------------------------------------------------------------------

  clusterElement(cluster) {
    let entry = this.clusters.get(cluster.id);
    if (!entry) {
      const headingId = `cluster-heading-${cluster.id}`;
      const number = el("span", { class: "cluster-number" });
      const name = el("span", { class: "cluster-name" });
      const heading = el("h2", { class: "area-name", id: headingId }, number, name);
      const count = el("p", { class: "area-count" });
      const title = el("div", { class: "area-title" }, heading, count);
      const head = el("div", { class: "area-head" }, title);
      const list = el("ol", { class: "cards", "aria-labelledby": headingId, dataset: { clusterId: String(cluster.id) } });
      // The headline card: large, at the top of the cluster, above its cards.
      const headlineText = el("span", { class: "headline-text" });
      const headline = el("p", { class: "headline-card", hidden: true },
        el("span", { class: "visually-hidden" }, `${t("headlineCard")}: `), headlineText);
      const node = el("section", { class: "area cluster", "aria-labelledby": headingId, dataset: { clusterId: String(cluster.id) } }, head, headline, list);
      entry = { id: cluster.id, el: node, head, title, heading, number, name, count, list, headline, headlineText };
      this.clusters.set(cluster.id, entry);
      this.hooks.clusterCreated?.(entry);
      this.hooks.containerCreated?.(list, cluster.id);
    }
    return entry;
  }

  updateCluster(entry, cluster, index, total, numbered) {
    setText(entry.number, numbered ? `${index + 1}.` : "");
    entry.number.hidden = !numbered;
    setText(entry.name, cluster.name);
    const headline = cluster.headline ?? "";
    setText(entry.headlineText, headline);
    entry.headline.hidden = !headline || Boolean(entry.headlineForm); // the moderator may be typing it
    entry.el.classList.toggle("has-headline", Boolean(headline));
    setText(entry.count, countText(cluster.cards.length));
    entry.list.dataset.empty = this.interactive ? t("clusterEmptyModerator") : t("clusterEmpty");
    entry.el.dataset.listStyle = cluster.list_style;
    this.hooks.clusterUpdated?.(entry, cluster, index, total);
  }

  removeCluster(id) {
    const entry = this.clusters.get(id);
    if (!entry) return;
    this.hooks.clusterRemoved?.(entry);
    this.hooks.containerRemoved?.(entry.list);
    entry.el.remove();
    this.clusters.delete(id);
  }

  // ---- the whole board -------------------------------------------------------------------

  render(board) {
    const { layout, inboxList, inboxCount, clusters: clustersRoot } = this.refs;
    if (!board) {
      for (const id of [...this.clusters.keys()]) this.removeCluster(id);
      reconcileChildren(inboxList, [], isCard);
      this.cards.clear();
      this.boardId = null;
      return;
    }
    this.boardId = board.id;
    const focused = document.activeElement;
    const seen = new Set();
    const numbered = Boolean(board.settings?.numbered_clusters);

    const wantedClusters = board.clusters.map((cluster, index) => {
      const entry = this.clusterElement(cluster);
      this.updateCluster(entry, cluster, index, board.clusters.length, numbered);
      return entry;
    });
    const clusterIds = new Set(board.clusters.map((c) => c.id));
    for (const id of [...this.clusters.keys()]) if (!clusterIds.has(id)) this.removeCluster(id);
    reconcileChildren(clustersRoot, wantedClusters.map((e) => e.el), isCluster);

    board.clusters.forEach((cluster, index) => {
      this.renderCards(wantedClusters[index].list, cluster.cards, cluster.list_style, seen);
    });
    this.renderCards(inboxList, board.unsorted, "bullet", seen);
    inboxList.dataset.empty = t("inboxEmpty");
    setText(inboxCount, countText(board.unsorted.length));

    // Cards that left the board (deleted, or the board changed) lose their element.
    for (const [id, entry] of this.cards) {
      if (!seen.has(id)) {
        entry.el.remove();
        this.cards.delete(id);
      }
    }
    // Moving a node drops its focus: give it back, so a card moved with the keyboard keeps it.
    if (focused && focused !== document.activeElement && focused.isConnected) {
      focused.focus({ preventScroll: true });
      focused.scrollIntoView?.({ block: "nearest", inline: "nearest" });
    }
    layout.classList.toggle("no-clusters", board.clusters.length === 0);
    layout.dataset.clusterCount = String(board.clusters.length);
  }

  cardEntry(cardId) {
    return this.cards.get(cardId) ?? null;
  }

  clusterEntry(clusterId) {
    return this.clusters.get(clusterId) ?? null;
  }
}
