// The start page: create a workshop (POST /api/workshops) from a template, list the workshops
// created on this device. Also exports the pieces the moderator console shares with it (the
// editable agenda list, the "your workshops" store, validation messages).

import { announce, el, pageData, t } from "./page.js";

// ---- workshops remembered on this device ------------------------------------------------------

export const STORE_KEY = "pinboard:workshops";

export function loadWorkshops() {
  try {
    const entries = JSON.parse(localStorage.getItem(STORE_KEY) || "[]");
    return Array.isArray(entries) ? entries.filter((e) => e && typeof e.id === "string") : [];
  } catch {
    return [];
  }
}

function storeWorkshops(entries) {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(entries));
  } catch {
    // Storage disabled or full: the list is a convenience, the link still works.
  }
}

// Add or refresh one workshop ({id, title, moderatorLink}); the newest first.
export function rememberWorkshop(entry) {
  const entries = loadWorkshops();
  const existing = entries.find((e) => e.id === entry.id);
  const merged = { createdAt: new Date().toISOString(), ...existing, ...entry };
  storeWorkshops([merged, ...entries.filter((e) => e.id !== entry.id)]);
}

export function forgetWorkshop(id) {
  storeWorkshops(loadWorkshops().filter((e) => e.id !== id));
}

// A link of this server as a path with its fragment, so it opens on the origin the moderator
// uses now (the API may name the LAN address, on which this browser's storage is different).
export function localPath(link) {
  const url = new URL(link, window.location.href);
  return url.pathname + url.search + url.hash;
}

// ---- validation messages ----------------------------------------------------------------------

// The server's messages are English; translate the ones the schemas produce.
export function validationMessage(message) {
  if (message === "Must not be empty." || message === "Missing data for required field.") return t("vEmpty");
  let match = /^At most (\d+) characters\.$/.exec(message);
  if (match) return t("vTooLong", { max: match[1] });
  match = /^Longer than maximum length (\d+)\.$/.exec(message);
  if (match) return t("vTooMany", { max: match[1] });
  if (/^Contains (a control|an invalid) character\.$/.test(message)) return t("vCharacter");
  if (message === "Not a valid date.") return t("vDate");
  return message;
}

// marshmallow's messages for one field: a list of strings, or {index: messages} for lists.
export function messagesOf(value) {
  if (value == null) return [];
  if (typeof value === "string") return [validationMessage(value)];
  if (Array.isArray(value)) return value.flatMap(messagesOf);
  return Object.values(value).flatMap(messagesOf);
}

// Show (or clear, with "") the error paragraph [data-error-for=name] inside root.
export function setFieldError(root, name, message) {
  const target = root.querySelector(`[data-error-for="${name}"]`);
  if (!target) return false;
  target.textContent = message;
  target.hidden = !message;
  const input = target.closest(".field")?.querySelector("input, select, textarea");
  if (input) {
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
  return true;
}

// Textareas grow with their text (clusters, one per line), also when lines wrap on a phone.
function fit(textarea) {
  if (!textarea.isConnected) return;
  textarea.style.height = "auto";
  textarea.style.height = `${textarea.scrollHeight + 4}px`;
}

// error.fields of the workshop details (title, event, date, place, the agenda steps and `extra`
// fields) placed next to their inputs; true when at least one error found its place.
export function placeDetailErrors(form, fields, extra, agendaList, agendaSent) {
  let placed = false;
  for (const name of ["title", "event", "date", "place", ...extra]) {
    if (fields[name]) placed = setFieldError(form, name, messagesOf(fields[name]).join(" ")) || placed;
  }
  if (fields.agenda) {
    if (Array.isArray(fields.agenda)) {
      placed = setFieldError(form, "agenda", messagesOf(fields.agenda).join(" ")) || placed;
    } else {
      const errors = {};
      for (const [i, messages] of Object.entries(fields.agenda)) {
        const sent = agendaSent[Number(i)];
        if (sent) errors[sent.index] = messagesOf(messages).join(" ");
      }
      agendaList.setErrors(errors);
      placed = true;
    }
  }
  return placed;
}

export function autosize(textarea) {
  textarea.dataset.autosize = "";
  textarea.addEventListener("input", () => fit(textarea));
  window.requestAnimationFrame(() => fit(textarea));
  return textarea;
}

window.addEventListener("resize", () => document.querySelectorAll("textarea[data-autosize]").forEach(fit));

let uid = 0;
export function uniqueId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

// ---- an editable list of agenda steps ----------------------------------------------------------

export class StepList {
  constructor(container, { onChange = () => {} } = {}) {
    this.container = container;
    this.onChange = onChange;
    this.steps = [];
    this.errors = {};
    this.list = el("ol", { class: "step-list" });
    this.empty = el("p", { class: "hint step-empty" }, t("noSteps"));
    this.addButton = el("button", { type: "button", class: "add-step", onclick: () => this.add(this.steps.length) }, `+ ${t("addStep")}`);
    container.replaceChildren(this.list, this.empty, this.addButton);
    this.render();
  }

  setSteps(steps) {
    this.steps = [...steps];
    this.errors = {};
    this.render();
  }

  // The steps to send: trimmed, empty ones left out, with the index each had in the editor.
  values() {
    const result = [];
    this.steps.forEach((step, index) => {
      if (step.trim()) result.push({ text: step.trim(), index });
    });
    return result;
  }

  setErrors(errors) {
    this.errors = errors;
    this.render();
  }

  add(at) {
    this.steps.splice(at, 0, "");
    this.render();
    this.onChange();
    this.list.children[at]?.querySelector("input")?.focus();
  }

  move(index, delta, which) {
    const to = index + delta;
    if (to < 0 || to >= this.steps.length) return;
    const [step] = this.steps.splice(index, 1);
    this.steps.splice(to, 0, step);
    this.errors = {};
    this.render();
    this.onChange();
    const item = this.list.children[to];
    const button = item?.querySelector(`[data-action="${which}"]`);
    (button && !button.disabled ? button : item?.querySelector("input"))?.focus();
  }

  remove(index) {
    this.steps.splice(index, 1);
    this.errors = {};
    this.render();
    this.onChange();
    announce(t("stepRemoved"));
    const next = this.list.children[Math.min(index, this.steps.length - 1)];
    (next?.querySelector("input") ?? this.addButton).focus();
  }

  render() {
    this.list.replaceChildren(
      ...this.steps.map((step, index) => {
        const n = index + 1;
        const errorId = uniqueId("step-error");
        const input = el("input", {
          type: "text",
          maxlength: 200,
          value: step,
          "aria-label": t("stepLabel", { n }),
          "aria-invalid": this.errors[index] ? "true" : null,
          "aria-describedby": this.errors[index] ? errorId : null,
          autocomplete: "off",
          oninput: (event) => {
            this.steps[index] = event.target.value;
            this.onChange();
          },
          onkeydown: (event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              this.add(index + 1);
            }
          },
        });
        return el(
          "li",
          { class: "step" },
          el("span", { class: "step-index", "aria-hidden": "true" }, String(n)),
          el("div", { class: "step-input" }, input, this.errors[index] ? el("p", { class: "error-text", id: errorId }, this.errors[index]) : null),
          el("div", { class: "step-actions" },
            iconButton("↑", t("stepMoveUp", { n }), () => this.move(index, -1, "up"), { disabled: index === 0, action: "up" }),
            iconButton("↓", t("stepMoveDown", { n }), () => this.move(index, 1, "down"), { disabled: index === this.steps.length - 1, action: "down" }),
            iconButton("✕", t("stepRemove", { n }), () => this.remove(index), { action: "remove" }),
          ),
        );
      }),
    );
    this.empty.hidden = this.steps.length > 0;
  }
}

export function iconButton(glyph, label, onclick, { disabled = false, action = null, extraClass = "" } = {}) {
  return el(
    "button",
    { type: "button", class: `icon ${extraClass}`.trim(), title: label, disabled, dataset: action ? { action } : undefined, onclick },
    el("span", { "aria-hidden": "true" }, glyph),
    el("span", { class: "visually-hidden" }, label),
  );
}

// ---- templates -----------------------------------------------------------------------------------

function board(title, clusters = [], settings = {}) {
  return {
    title,
    clusters: clusters.join("\n"),
    numbered_clusters: false,
    participants_can_move: false,
    participants_choose_cluster: false,
    ...settings,
  };
}

const topics = () => [1, 2, 3, 4].map((n) => t("tplTopic", { n }));
const exchangeSettings = { numbered_clusters: true, participants_choose_cluster: true };

const TEMPLATES = {
  "card-query": () => [board(t("tplCardQueryBoard"))],
  exchange: () => [board(t("tplExchangeBoard"), topics(), exchangeSettings)],
  "entry-exchange": () => [
    board(t("tplEntryBoard"), [t("tplEntry1"), t("tplEntry2"), t("tplEntry3"), t("tplEntry4"), t("tplEntry5")]),
    board(t("tplExchangeBoard"), topics(), exchangeSettings),
  ],
  blank: () => [board(t("tplBlankBoard"))],
};

// ---- the start page ------------------------------------------------------------------------------

const SETTINGS = [
  ["participants_choose_cluster", "settingChoose"],
  ["participants_can_move", "settingMove"],
  ["numbered_clusters", "settingNumbered"],
];

class BoardsEditor {
  constructor(container) {
    this.container = container;
    this.boards = [];
    this.errors = {};
  }

  setBoards(boards) {
    this.boards = boards;
    this.errors = {};
    this.render();
  }

  add() {
    this.boards.push(board(""));
    this.errors = {};
    this.render();
    this.container.lastElementChild?.querySelector("input")?.focus();
  }

  move(index, delta, which) {
    const to = index + delta;
    if (to < 0 || to >= this.boards.length) return;
    const [moved] = this.boards.splice(index, 1);
    this.boards.splice(to, 0, moved);
    this.errors = {};
    this.render();
    const button = this.container.children[to]?.querySelector(`[data-action="${which}"]`);
    (button && !button.disabled ? button : this.container.children[to]?.querySelector("input"))?.focus();
  }

  remove(index) {
    this.boards.splice(index, 1);
    this.errors = {};
    this.render();
    announce(t("boardRemoved"));
    const next = this.container.children[Math.min(index, this.boards.length - 1)];
    (next?.querySelector("input") ?? document.getElementById("add-board")).focus();
  }

  // Error messages by board index: {title?, clusters?}.
  setErrors(errors) {
    this.errors = errors;
    this.render();
  }

  render() {
    if (this.boards.length === 0) {
      this.container.replaceChildren(el("p", { class: "hint" }, t("noBoards")));
      return;
    }
    this.container.replaceChildren(...this.boards.map((b, index) => this.renderBoard(b, index)));
  }

  renderBoard(b, index) {
    const n = index + 1;
    const errors = this.errors[index] || {};
    const titleId = uniqueId("board-title");
    const clustersId = uniqueId("board-clusters");
    const hintId = uniqueId("board-hint");
    const titleError = uniqueId("board-title-error");
    const clustersError = uniqueId("board-clusters-error");
    const lines = b.clusters.split("\n").length;
    return el(
      "fieldset",
      { class: "board-editor" },
      el("legend", { class: "visually-hidden" }, t("boardN", { n })),
      el("div", { class: "board-editor-head" },
        el("span", { class: "board-number", "aria-hidden": "true" }, t("boardN", { n })),
        el("div", { class: "step-actions" },
          iconButton("↑", t("boardMoveUp", { n }), () => this.move(index, -1, "up"), { disabled: index === 0, action: "up" }),
          iconButton("↓", t("boardMoveDown", { n }), () => this.move(index, 1, "down"), { disabled: index === this.boards.length - 1, action: "down" }),
          iconButton("✕", t("boardRemove", { n }), () => this.remove(index), { action: "remove" }),
        ),
      ),
      el("div", { class: "field" },
        el("label", { for: titleId }, t("boardTitle")),
        el("input", {
          type: "text", id: titleId, value: b.title, maxlength: 200, autocomplete: "off", required: true,
          "aria-invalid": errors.title ? "true" : null, "aria-describedby": errors.title ? titleError : null,
          oninput: (event) => { b.title = event.target.value; },
        }),
        errors.title ? el("p", { class: "error-text", id: titleError }, errors.title) : null,
      ),
      el("div", { class: "field" },
        el("label", { for: clustersId }, t("boardClusters")),
        autosize(el("textarea", {
          id: clustersId, rows: Math.max(lines, 3),
          "aria-invalid": errors.clusters ? "true" : null,
          "aria-describedby": errors.clusters ? `${hintId} ${clustersError}` : hintId,
          oninput: (event) => { b.clusters = event.target.value; },
        }, b.clusters)),
        el("p", { class: "hint", id: hintId }, t("boardClustersHint")),
        errors.clusters ? el("p", { class: "error-text", id: clustersError }, errors.clusters) : null,
      ),
      el("div", { class: "settings" },
        SETTINGS.map(([name, label]) => el("label", { class: "check" },
          el("input", { type: "checkbox", checked: b[name], onchange: (event) => { b[name] = event.target.checked; } }),
          el("span", {}, t(label)),
        )),
      ),
    );
  }

  // The boards to send, with, per board, the editor line of each cluster (for error messages).
  payload() {
    return this.boards.map((b) => {
      const lines = [];
      b.clusters.split("\n").forEach((line, number) => {
        if (line.trim()) lines.push({ name: line.trim(), number: number + 1 });
      });
      return {
        body: {
          title: b.title.trim(),
          clusters: lines.map((l) => l.name),
          numbered_clusters: b.numbered_clusters,
          participants_can_move: b.participants_can_move,
          participants_choose_cluster: b.participants_choose_cluster,
        },
        lines,
      };
    });
  }
}

function renderMyWorkshops() {
  const list = document.getElementById("my-workshops");
  const entries = loadWorkshops();
  document.getElementById("mine-empty").hidden = entries.length > 0;
  list.hidden = entries.length === 0;
  const dateFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "medium" });
  list.replaceChildren(
    ...entries.map((entry) => {
      const title = entry.title || entry.id;
      const created = entry.createdAt ? new Date(entry.createdAt) : null;
      const item = el("li", { class: "my-workshop" });
      const actions = el("div", { class: "my-workshop-actions" });
      const showActions = () => {
        actions.replaceChildren(
          el("a", { class: "button primary", href: entry.moderatorLink }, t("open"), el("span", { class: "visually-hidden" }, ` ${t("quoted", { title })}`)),
          el("button", { type: "button", class: "quiet", onclick: confirmForget }, t("forget"), el("span", { class: "visually-hidden" }, ` ${t("quoted", { title })}`)),
        );
      };
      function confirmForget() {
        const keep = el("button", { type: "button", onclick: () => { showActions(); actions.querySelector("button").focus(); } }, t("forgetNo"));
        actions.replaceChildren(
          el("p", { class: "forget-question" }, t("forgetConfirm")),
          el("div", { class: "row" },
            el("button", { type: "button", class: "danger", onclick: () => {
              forgetWorkshop(entry.id);
              renderMyWorkshops();
              announce(t("forgotten"));
              document.getElementById("mine-heading").focus();
            } }, t("forgetYes")),
            keep,
          ),
        );
        keep.focus();
      }
      showActions();
      item.append(
        el("div", { class: "my-workshop-text" },
          el("span", { class: "my-workshop-title" }, title),
          created && !Number.isNaN(created.valueOf()) ? el("span", { class: "hint" }, t("createdOn", { date: dateFormat.format(created) })) : null,
        ),
        actions,
      );
      return item;
    }),
  );
}

function initStartPage() {
  const data = pageData();
  const form = document.getElementById("create-form");
  const agenda = new StepList(document.getElementById("agenda-editor"));
  const boards = new BoardsEditor(document.getElementById("boards-editor"));
  const formError = document.getElementById("form-error");
  const createButton = document.getElementById("create-button");
  document.getElementById("mine-heading").tabIndex = -1;
  formError.tabIndex = -1;

  const applyTemplate = (announceIt) => {
    const chosen = form.querySelector('input[name="template"]:checked');
    boards.setBoards(TEMPLATES[chosen.value]());
    if (announceIt) announce(t("templateApplied", { name: chosen.closest("label").querySelector(".template-name").textContent }));
  };
  form.querySelectorAll('input[name="template"]').forEach((radio) => radio.addEventListener("change", () => applyTemplate(true)));
  applyTemplate(false);
  document.getElementById("add-board").addEventListener("click", () => boards.add());

  const clearErrors = () => {
    for (const name of ["title", "event", "date", "place", "language", "agenda", "boards", "organiser_password"]) setFieldError(form, name, "");
    agenda.setErrors({});
    boards.setErrors({});
    formError.hidden = true;
    formError.textContent = "";
  };

  const showFormError = (message) => {
    formError.textContent = message;
    formError.hidden = false;
  };

  const focusFirstError = () => {
    const invalid = form.querySelector('[aria-invalid="true"]');
    (invalid ?? formError).focus?.();
    if (!invalid) formError.scrollIntoView({ block: "center" });
  };

  // error.fields of a 400 answer, mapped onto the editor.
  const showServerFields = (fields, agendaSent, boardsSent) => {
    let placed = placeDetailErrors(form, fields, ["language", "organiser_password"], agenda, agendaSent);
    if (fields.boards) {
      if (Array.isArray(fields.boards)) {
        placed = setFieldError(form, "boards", messagesOf(fields.boards).join(" ")) || placed;
      } else {
        const errors = {};
        for (const [i, boardErrors] of Object.entries(fields.boards)) {
          const sent = boardsSent[Number(i)];
          if (!sent) continue;
          const entry = {};
          if (boardErrors.title) entry.title = messagesOf(boardErrors.title).join(" ");
          if (boardErrors.clusters) {
            entry.clusters = Array.isArray(boardErrors.clusters)
              ? messagesOf(boardErrors.clusters).join(" ")
              : Object.entries(boardErrors.clusters)
                  .map(([j, messages]) => t("line", { n: sent.lines[Number(j)]?.number ?? Number(j) + 1, message: messagesOf(messages).join(" ") }))
                  .join(" ");
          }
          const other = Object.keys(boardErrors).filter((k) => k !== "title" && k !== "clusters");
          if (other.length) entry.title = [entry.title, ...other.flatMap((k) => messagesOf(boardErrors[k]))].filter(Boolean).join(" ");
          errors[i] = entry;
        }
        boards.setErrors(errors);
        placed = true;
      }
    }
    return placed;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const value = (name) => form.elements[name].value.trim();
    const agendaSent = agenda.values();
    const boardsSent = boards.payload();
    const body = {
      title: value("title"),
      event: value("event"),
      place: value("place"),
      language: form.elements.language.value,
      agenda: agendaSent.map((s) => s.text),
      boards: boardsSent.map((b) => b.body),
    };
    if (value("date")) body.date = value("date");
    if (data.passwordRequired) body.organiser_password = form.elements.organiser_password.value;

    let invalid = false;
    if (!body.title) {
      setFieldError(form, "title", t("titleMissing"));
      invalid = true;
    }
    const boardErrors = {};
    boardsSent.forEach((b, index) => {
      if (!b.body.title) boardErrors[index] = { title: t("boardTitleMissing") };
    });
    if (Object.keys(boardErrors).length) {
      boards.setErrors(boardErrors);
      invalid = true;
    }
    if (data.passwordRequired && !body.organiser_password) {
      setFieldError(form, "organiser_password", t("passwordMissing"));
      invalid = true;
    }
    if (invalid) {
      showFormError(t("fixErrors"));
      focusFirstError();
      return;
    }

    createButton.disabled = true;
    createButton.textContent = t("creating");
    let response;
    let answer = null;
    try {
      response = await fetch("/api/workshops", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      answer = await response.json().catch(() => null);
    } catch {
      response = null;
    }
    createButton.disabled = false;
    createButton.textContent = t("create");

    if (response && response.status === 201 && answer) {
      const moderatorLink = localPath(answer.links.moderator);
      rememberWorkshop({ id: answer.id, title: body.title, moderatorLink, createdAt: new Date().toISOString() });
      announce(t("created"));
      window.location.assign(moderatorLink);
      return;
    }
    if (!response) {
      showFormError(t("networkError"));
      focusFirstError();
      return;
    }
    const error = answer?.error ?? { code: "internal", message: String(response.status) };
    if (error.code === "forbidden" && data.passwordRequired) {
      setFieldError(form, "organiser_password", t("wrongPassword"));
      showFormError(t("fixErrors"));
    } else if (error.code === "invalid" && error.fields && showServerFields(error.fields, agendaSent, boardsSent)) {
      showFormError(t("fixErrors"));
    } else {
      showFormError(t("serverError", { message: error.message }));
    }
    focusFirstError();
  });

  renderMyWorkshops();
  window.addEventListener("storage", (event) => {
    if (event.key === STORE_KEY) renderMyWorkshops();
  });
}

if (document.getElementById("create-form")) initStartPage();
