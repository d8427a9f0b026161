// Cluster tools on the moderator's board: add (header form), rename in place, the headline card
// (typed in place; empty removes it), list style, reorder (arrow buttons or dragging the heading),
// show it large (the focus) and delete with a confirmation (its cards go to the unsorted cards).
// Mixed into ModeratorTools.

import { announce, el, t } from "./page.js";

const $ = (id) => document.getElementById(id);

const SVG = "http://www.w3.org/2000/svg";
const ICONS = {
  more: "M5 10.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Zm7 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Zm7 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Z",
  left: "M14.7 5.3 8 12l6.7 6.7 1.4-1.4L10.8 12l5.3-5.3z",
  right: "M9.3 5.3 16 12l-6.7 6.7-1.4-1.4 5.3-5.3-5.3-5.3z",
  edit: "M4 17.2V20h2.8l8.3-8.3-2.8-2.8L4 17.2Zm13.7-7.6a1 1 0 0 0 0-1.4l-1.9-1.9a1 1 0 0 0-1.4 0l-1.3 1.3 2.8 2.8 1.8-1.8Z",
  trash: "M9 3h6l1 2h4v2H4V5h4l1-2Zm-3 6h12l-1 12H7L6 9Zm4 2v8h1.5v-8H10Zm2.5 0v8H14v-8h-1.5Z",
  headline: "M4 4h16v4h-2V6h-5v12h2.5v2h-7v-2H11V6H6v2H4V4Z",
  focus: "M3 3h6v2H5v4H3V3Zm12 0h6v6h-2V5h-4V3ZM3 15h2v4h4v2H3v-6Zm16 0h2v6h-6v-2h4v-4ZM12 8a4 4 0 1 1 0 8 4 4 0 0 1 0-8Z",
};

function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

export const clusterMethods = {
  decorateCluster(entry) {
    const id = entry.id;
    entry.toggle = el("button", {
      type: "button", class: "quiet icon-button cluster-toggle",
      "aria-expanded": "false", "aria-controls": `cluster-tools-${id}`,
    }, icon("more"));
    entry.rename = el("button", { type: "button", class: "quiet tool" }, icon("edit"), el("span", {}, t("rename")));
    entry.headlineButton = el("button", { type: "button", class: "quiet tool" }, icon("headline"), el("span", {}, t("headline")));
    entry.style = el("select", { id: `cluster-style-${id}`, class: "tool-select" },
      ["bullet", "number", "letter"].map((value) => el("option", { value }, t(value))));
    const styleLabel = el("label", { for: `cluster-style-${id}`, class: "visually-hidden" }, t("listStyle"));
    entry.left = el("button", { type: "button", class: "quiet icon-button tool" }, icon("left"));
    entry.right = el("button", { type: "button", class: "quiet icon-button tool" }, icon("right"));
    entry.remove = el("button", { type: "button", class: "quiet danger-tool tool" }, icon("trash"), el("span", {}, t("delete")));
    entry.focusButton = el("button", { type: "button", class: "quiet tool" }, icon("focus"), el("span", {}, t("focusCluster")));
    entry.tools = el("div", { class: "cluster-tools", id: `cluster-tools-${id}`, hidden: true },
      el("div", { class: "tools-row" }, styleLabel, entry.style, el("span", { class: "tools-arrows" }, entry.left, entry.right)),
      el("div", { class: "tools-row" }, entry.rename, entry.headlineButton, entry.focusButton, entry.remove));
    entry.head.append(entry.toggle);
    entry.head.after(entry.tools);

    entry.toggle.addEventListener("click", () => {
      const open = entry.tools.hidden;
      entry.tools.hidden = !open;
      entry.toggle.setAttribute("aria-expanded", String(open));
      entry.el.classList.toggle("tools-open", open);
    });
    entry.rename.addEventListener("click", () => this.startRename(entry));
    entry.headlineButton.addEventListener("click", () => this.startHeadline(entry));
    entry.headline.addEventListener("dblclick", () => this.startHeadline(entry));
    entry.heading.addEventListener("dblclick", () => this.startRename(entry));
    entry.style.addEventListener("change", () => {
      this.send("cluster:update", { cluster_id: id, list_style: entry.style.value });
    });
    entry.left.addEventListener("click", () => this.moveCluster(entry, -1, entry.left));
    entry.right.addEventListener("click", () => this.moveCluster(entry, 1, entry.right));
    entry.remove.addEventListener("click", () => this.openDeleteDialog(id));
    entry.focusButton.addEventListener("click", () => this.setFocus({ cluster_id: id }));
  },

  updateCluster(entry, cluster, index, total) {
    const name = cluster.name;
    entry.clusterName = name;
    entry.clusterHeadline = cluster.headline ?? "";
    entry.headlineButton.setAttribute("aria-label", t("editHeadlineOf", { name }));
    entry.toggle.setAttribute("aria-label", t("clusterOptions", { name }));
    entry.toggle.title = t("clusterOptions", { name });
    entry.left.setAttribute("aria-label", t("moveLeftOf", { name }));
    entry.left.title = t("moveLeft");
    entry.right.setAttribute("aria-label", t("moveRightOf", { name }));
    entry.right.title = t("moveRight");
    entry.remove.setAttribute("aria-label", t("deleteClusterOf", { name }));
    entry.focusButton.setAttribute("aria-label", t("focusClusterOf", { name }));
    entry.head.title = t("dragCluster", { name });
    entry.left.disabled = index === 0;
    entry.right.disabled = index === total - 1;
    if (entry.style.value !== cluster.list_style) entry.style.value = cluster.list_style;
  },

  async moveCluster(entry, delta, button) {
    const board = this.currentBoard();
    const index = board?.clusters.findIndex((c) => c.id === entry.id) ?? -1;
    if (index === -1) return;
    await this.send("cluster:move", { cluster_id: entry.id, index: index + delta });
    // Keep focus on the arrow while it can still move; else on the other one.
    const next = button.disabled ? (delta < 0 ? entry.right : entry.left) : button;
    if (!next.disabled) next.focus();
  },

  onClusterDrop(event) {
    this.dragging = false;
    const clusterId = Number(event.item.dataset.clusterId);
    const index = event.newDraggableIndex ?? event.newIndex;
    if (event.oldDraggableIndex === index) {
      this.requestRender();
      return;
    }
    this.send("cluster:move", { cluster_id: clusterId, index });
  },

  startRename(entry) {
    if (entry.renameForm) {
      entry.renameInput.focus();
      return;
    }
    const input = el("input", {
      type: "text", id: `cluster-rename-${entry.id}`, class: "rename-input", maxlength: "120", autocomplete: "off",
    });
    input.value = entry.clusterName ?? "";
    const label = el("label", { for: input.id, class: "visually-hidden" }, t("clusterName"));
    const form = el("form", { class: "rename-form", novalidate: true }, label, input);
    entry.renameForm = form;
    entry.renameInput = input;
    entry.heading.hidden = true;
    entry.heading.after(form);
    let finished = false;
    const finish = async (save) => {
      if (finished) return;
      finished = true;
      const name = input.value.trim();
      form.remove();
      entry.renameForm = null;
      entry.renameInput = null;
      entry.heading.hidden = false;
      entry.toggle.focus();
      if (save && name && name !== entry.clusterName) {
        entry.name.textContent = name; // shown at once; the model's name follows
        await this.send("cluster:update", { cluster_id: entry.id, name });
      }
    };
    editInPlace(form, input, finish);
  },

  // The headline card, typed in place of the card at the top of the cluster. Enter or leaving
  // the field saves, Escape cancels; an empty field removes the headline.
  startHeadline(entry) {
    if (entry.headlineForm) {
      entry.headlineInput.focus();
      return;
    }
    const input = el("input", {
      type: "text", id: `cluster-headline-${entry.id}`, class: "headline-input", maxlength: "120", autocomplete: "off",
      placeholder: t("headlinePlaceholder"),
    });
    input.value = entry.clusterHeadline ?? "";
    const label = el("label", { for: input.id, class: "visually-hidden" }, t("headlineOf", { name: entry.clusterName ?? "" }));
    const form = el("form", { class: "headline-form", novalidate: true }, label, input);
    entry.headlineForm = form;
    entry.headlineInput = input;
    entry.headline.hidden = true;
    entry.headline.after(form);
    let finished = false;
    const finish = async (save) => {
      if (finished) return;
      finished = true;
      const headline = input.value.trim();
      form.remove();
      entry.headlineForm = null;
      entry.headlineInput = null;
      entry.headline.hidden = !entry.clusterHeadline;
      entry.headlineButton.focus();
      if (save && headline !== (entry.clusterHeadline ?? "")) {
        const ack = await this.send("cluster:update", { cluster_id: entry.id, headline });
        if (ack.ok) {
          announce(headline ? t("headlineSaved", { name: entry.clusterName ?? "" }) : t("headlineRemoved", { name: entry.clusterName ?? "" }));
        }
      }
    };
    editInPlace(form, input, finish);
  },

  setUpAddCluster() {
    const open = $("add-cluster-open");
    const form = $("add-cluster-form");
    const input = $("add-cluster-name");
    const close = () => {
      form.hidden = true;
      open.hidden = false;
      open.setAttribute("aria-expanded", "false");
      input.value = "";
      input.removeAttribute("aria-invalid");
    };
    open.addEventListener("click", () => {
      form.hidden = false;
      open.hidden = true;
      open.setAttribute("aria-expanded", "true");
      input.focus();
    });
    $("add-cluster-cancel").addEventListener("click", () => {
      close();
      open.focus();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        close();
        open.focus();
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const name = input.value.trim();
      const board = this.currentBoard();
      if (!name) {
        input.setAttribute("aria-invalid", "true");
        this.toast(t("nameRequired"));
        input.focus();
        return;
      }
      if (!board) return;
      const ack = await this.send("cluster:create", { board_id: board.id, name });
      if (ack.ok) {
        announce(t("clusterAdded", { name }));
        close();
        open.focus();
        this.view.clusterEntry(ack.data.id)?.el.scrollIntoView({ block: "nearest", inline: "nearest" });
      } else {
        input.focus();
      }
    });
  },

  setUpDeleteDialog() {
    this.deleteDialog = $("delete-dialog");
    $("delete-cancel").addEventListener("click", () => this.deleteDialog.close());
    $("delete-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const id = this.deleteClusterId;
      const name = this.view.clusterEntry(id)?.clusterName ?? "";
      this.deleteClusterId = null;
      this.deleteDialog.close();
      if (id == null) return;
      const ack = await this.send("cluster:delete", { cluster_id: id });
      if (ack.ok) {
        announce(t("clusterDeleted", { name }));
        $("add-cluster-open")?.focus();
      }
    });
    this.deleteDialog.addEventListener("close", () => {
      if (this.deleteClusterId != null) this.view.clusterEntry(this.deleteClusterId)?.remove.focus();
      this.deleteClusterId = null;
    });
  },

  openDeleteDialog(clusterId) {
    const cluster = this.currentBoard()?.clusters.find((c) => c.id === clusterId);
    if (!cluster) return;
    this.deleteClusterId = clusterId;
    const count = cluster.cards.length;
    $("delete-text").textContent = count
      ? t("deleteText", { name: cluster.name, count })
      : t("deleteTextEmpty", { name: cluster.name });
    this.deleteDialog.showModal();
    $("delete-cancel").focus();
  },
};

// Wire an in-place editor: Enter or leaving the field saves, Escape cancels.
function editInPlace(form, input, finish) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    finish(true);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      finish(false);
    }
  });
  input.addEventListener("blur", () => finish(true));
  input.focus();
  input.select();
}
