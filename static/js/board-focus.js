// The focus (docs/protocol.md "Focus"): while the group discusses one card or one cluster, the
// board is dimmed and that card (very large, its stack beneath it) or that cluster (large, with
// its cards) stands over it, readable from the back of the room. The same on the projector and
// the moderator's board; the moderator's has an "End focus" button (board-moderator.js sends it).
// User text is only ever set with textContent.

import { announce, el, t } from "./page.js";
import { marker, paperMark, setStackBadge, showUnderneath, stackBadge } from "./board-render.js";

// A card as it stands in the spotlight (or in a focused cluster): text, author, paper, stack.
function focusCard(card, className, listMarker = "") {
  const node = el("div", { class: `card ${className}`, dataset: { cardId: String(card.id) } });
  if (card.hidden && !card.text) {
    node.classList.add("face-down");
    node.append(el("span", { class: "visually-hidden" }, t("hiddenCard")));
  } else {
    node.dataset.color = card.color || "yellow";
    if (listMarker) node.append(el("span", { class: "card-marker", "aria-hidden": "true" }, listMarker));
    node.append(el("span", { class: "card-text" }, card.text));
    if (card.author_role === "participant" && card.author_name) {
      node.append(el("span", { class: "author" }, el("span", { class: "visually-hidden" }, `${t("byAuthor", { name: card.author_name })} `),
        el("span", { "aria-hidden": "true" }, card.author_name)));
    }
    if (card.on_paper) node.append(paperMark());
  }
  const size = 1 + (card.stack?.length ?? 0);
  if (size > 1) {
    const badge = stackBadge();
    setStackBadge(badge, size);
    node.classList.add("is-stack");
    showUnderneath(node, card);
    node.append(badge.el);
  }
  return node;
}

// Long texts get a smaller (still large) size, so that they fit on the screen.
function lengthClass(text) {
  const length = text?.length ?? 0;
  if (length > 260) return "is-long";
  if (length > 110) return "is-medium";
  return "is-short";
}

export class FocusView {
  // root: the overlay section; stage: where the card or cluster goes; onShow(shown) lets the page
  // make the board behind it inert.
  constructor({ root, stage, onShow = () => {} }) {
    this.root = root;
    this.stage = stage;
    this.onShow = onShow;
    this.signature = null;
    this.announced = null;
  }

  // What the workshop's focus points at: {kind: "card", card} | {kind: "cluster", cluster, board} | null.
  target(model) {
    const focus = model?.workshop?.focus;
    if (!focus) return null;
    if (focus.card_id != null) {
      const card = model.topOf(focus.card_id);
      return card ? { kind: "card", card } : { kind: "gone" };
    }
    if (focus.cluster_id != null) {
      const board = model.boards.find((b) => b.clusters.some((c) => c.id === focus.cluster_id));
      const cluster = board?.clusters.find((c) => c.id === focus.cluster_id);
      return cluster ? { kind: "cluster", cluster, board } : { kind: "gone" };
    }
    return null;
  }

  render(model, { moderator = false } = {}) {
    const target = this.target(model);
    // A card or cluster deleted while in focus shows nothing; the moderator still sees "End focus".
    const shown = target && (target.kind !== "gone" || moderator);
    const signature = shown ? this.signatureOf(target) : "";
    if (signature === this.signature) return;
    this.signature = signature;
    this.root.hidden = !shown;
    this.root.dataset.kind = target?.kind ?? "";
    document.body.classList.toggle("has-focus", Boolean(shown));
    this.onShow(Boolean(shown));
    if (!shown) {
      this.stage.replaceChildren();
      if (this.announced) announce(t("focusEnded"));
      this.announced = null;
      return;
    }
    if (target.kind === "card") this.stage.replaceChildren(this.cardStage(target.card));
    else if (target.kind === "cluster") this.stage.replaceChildren(this.clusterStage(target.cluster, target.board));
    else this.stage.replaceChildren(el("p", { class: "focus-gone banner info" }, t("focusGone")));
    const spoken = target.kind === "card" ? (target.card.hidden && !target.card.text ? t("hiddenCard") : target.card.text)
      : target.kind === "cluster" ? target.cluster.name : "";
    if (spoken && spoken !== this.announced) announce(t("focusOn", { text: spoken }));
    this.announced = spoken || null;
  }

  // What the overlay shows, to draw it again only when that changed.
  signatureOf(target) {
    if (target.kind !== "cluster") return JSON.stringify(target);
    const { cluster, board } = target;
    return JSON.stringify([cluster, board.clusters.indexOf(cluster), Boolean(board.settings?.numbered_clusters)]);
  }

  cardStage(card) {
    const big = focusCard(card, `focus-card ${lengthClass(card.text)}`);
    const stage = el("div", { class: "focus-card-stage" }, big);
    const stacked = (card.stack ?? []).filter((one) => !(one.hidden && !one.text));
    if (stacked.length) {
      stage.append(el("ul", { class: "focus-stacked" }, stacked.map((one) => el("li", {}, focusCard({ ...one, stack: [] }, "focus-stacked-card")))));
    }
    return stage;
  }

  clusterStage(cluster, board) {
    const numbered = Boolean(board.settings?.numbered_clusters);
    const number = numbered ? `${board.clusters.indexOf(cluster) + 1}. ` : "";
    const heading = el("h3", { class: "focus-cluster-name" }, `${number}${cluster.name}`);
    const panel = el("div", { class: "focus-cluster", dataset: { listStyle: cluster.list_style } }, heading);
    if (cluster.headline) panel.append(el("p", { class: "headline-card focus-headline" }, cluster.headline));
    const many = cluster.cards.length > 9 ? "is-many" : cluster.cards.length > 4 ? "is-some" : "is-few";
    const list = el("ol", { class: `focus-cluster-cards ${many}` },
      cluster.cards.map((card, index) => el("li", {}, focusCard(card, "focus-cluster-card", marker(cluster.list_style, index)))));
    if (!cluster.cards.length) list.dataset.empty = t("clusterEmpty");
    panel.append(list);
    return panel;
  }
}
