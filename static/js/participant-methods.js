// The Metaplan methods on the participant's phone (participant.js owns the page): the card or
// cluster the moderator put in focus, the active board's timer, and dot voting: placing and
// taking back dots while a round is open, then the result. Votes are immediate calls, not
// outbox entries: a dot placed offline would be worth nothing once the round has closed.
// Times are the server's (methods-state.js corrects for this phone's clock). User text is only
// ever set with textContent.

import { isPlaceholder } from "./board-model.js";
import { applyOwnVote, followMethods, mmss, secondsLeft } from "./methods-state.js";
import { announce, el, t } from "./page.js";

const TICK_MS = 250;
const MAX_DOT_SYMBOLS = 20; // the largest budget

const $ = (id) => document.getElementById(id);

// "●●●○○": `filled` of `total`, as a row of dot symbols (decoration; the text says it too).
function dotSymbols(filled, total) {
  const shown = Math.min(total, MAX_DOT_SYMBOLS);
  return Array.from({ length: shown }, (_, index) =>
    el("span", { class: index < filled ? "dot dot-filled" : "dot dot-empty" }),
  );
}

function stackSize(card) {
  return 1 + (card.stack?.length ?? 0);
}

// The cards of a board one may vote on, grouped as on the board: clusters in order, then the
// unsorted cards. A stack is one card (its top); hidden cards cannot get dots until revealed.
function votingGroups(board) {
  const numbered = Boolean(board.settings?.numbered_clusters);
  const groups = board.clusters.map((cluster, index) => ({
    key: `c${cluster.id}`,
    name: numbered ? `${index + 1}. ${cluster.name}` : cluster.name,
    headline: cluster.headline ?? "",
    cards: cluster.cards,
  }));
  groups.push({ key: "unsorted", name: board.clusters.length ? t("voteUnsorted") : "", headline: "", cards: board.unsorted });
  let hidden = 0;
  const result = [];
  for (const group of groups) {
    const cards = group.cards.filter((card) => !card.hidden);
    hidden += group.cards.length - cards.length;
    if (cards.length) result.push({ ...group, cards });
  }
  return { groups: result, hidden };
}

// Competition ranking: cards with as many dots share a place (1, 1, 3).
function places(ranking, tally) {
  let place = 0;
  let previous = null;
  return ranking.map((cardId, index) => {
    const dots = tally[String(cardId)] ?? 0;
    if (dots !== previous) place = index + 1;
    previous = dots;
    return { cardId, dots, place };
  });
}

export class PhoneMethods {
  // render(): re-render the whole page (participant.js's renderAll), called after vote and
  // timer events and after the phone's own votes.
  constructor({ render }) {
    this.render = render;
    this.connection = null;
    this.status = "connecting";
    this.busy = new Map(); // card id -> vote calls on their way (every tap is sent: the server keeps the limits)
    this.errors = new Map(); // card id -> message of the last refused vote
    this.rows = new Map(); // card id -> {node, parts}
    this.groupsSignature = null;
    this.seen = { boardId: null, roundId: null, open: null, focus: null, timerEnded: null };
    this.ui = {
      strip: $("methods-strip"),
      timer: $("phone-timer"),
      timerValue: $("phone-timer-value"),
      timerState: $("phone-timer-state"),
      budget: $("vote-budget"),
      budgetDots: $("vote-budget-dots"),
      budgetText: $("vote-budget-text"),
      focus: $("focus-panel"),
      focusBody: $("focus-body"),
      votePanel: $("vote-panel"),
      voteRules: $("vote-rules"),
      voteLive: $("vote-live"),
      voteOffline: $("vote-offline"),
      voteHidden: $("vote-hidden-note"),
      voteEmpty: $("vote-empty"),
      voteGroups: $("vote-groups"),
      result: $("vote-result"),
      ranking: $("vote-ranking"),
      resultNote: $("vote-result-note"),
    };
    setInterval(() => this.tick(), TICK_MS);
  }

  // A new connection (after joining or joining again): follow its vote and timer events.
  follow(connection) {
    this.connection = connection;
    this.busy.clear();
    this.errors.clear();
    followMethods(connection, () => {
      if (this.connection === connection) this.render();
    });
  }

  forget() {
    this.connection = null;
    this.ui.strip.hidden = true;
    this.ui.focus.hidden = true;
    this.ui.votePanel.hidden = true;
    this.ui.result.hidden = true;
    this.seen = { boardId: null, roundId: null, open: null, focus: null, timerEnded: null };
  }

  // ---- rendering -------------------------------------------------------------------------

  update({ model, board, status }) {
    this.model = model;
    this.board = board;
    this.status = status;
    const vote = board?.vote ?? null;
    this.announceChanges(board, vote);
    this.renderFocus();
    this.renderVoting(vote);
    this.renderResult(vote);
    this.tick();
  }

  announceChanges(board, vote) {
    const seen = this.seen;
    const sameBoard = board && seen.boardId === board.id;
    if (sameBoard && vote && (vote.round_id !== seen.roundId || vote.open !== seen.open)) {
      if (vote.open) announce(t("announceVoteOpened", { budget: vote.budget }));
      else announce(t("announceVoteClosed"));
    }
    const focus = JSON.stringify(this.model?.workshop?.focus ?? null);
    if (seen.focus !== null && focus !== seen.focus && this.model?.workshop?.focus) announce(t("announceFocus"));
    seen.boardId = board?.id ?? null;
    seen.roundId = vote?.round_id ?? null;
    seen.open = vote?.open ?? null;
    seen.focus = focus;
  }

  // The moderator's focus: one card (a stack shows as its top) or one cluster, large.
  renderFocus() {
    const focus = this.model?.workshop?.focus;
    const card = focus?.card_id != null ? this.model.card(focus.card_id) : null;
    const cluster = focus?.cluster_id != null ? this.model.cluster(focus.cluster_id) : null;
    const signature = JSON.stringify(
      card ? ["card", card.id, card.text, card.color, card.hidden, stackSize(card)]
        : cluster ? ["cluster", cluster.id, cluster.name, cluster.headline, cluster.cards.map((c) => [c.id, c.text, c.color, c.hidden, stackSize(c)])]
          : null,
    );
    this.ui.focus.hidden = !card && !cluster;
    if (this.ui.focus.dataset.signature === signature) return;
    this.ui.focus.dataset.signature = signature;
    if (card) this.ui.focusBody.replaceChildren(this.focusCard(card, "focus-card"));
    else if (cluster) {
      this.ui.focusBody.replaceChildren(
        el("h2", { class: "focus-cluster-name" }, cluster.name),
        cluster.headline ? el("p", { class: "focus-headline" }, cluster.headline) : null,
        cluster.cards.length
          ? el("ul", { class: "focus-cluster-cards" }, cluster.cards.map((c) => el("li", {}, this.focusCard(c, "focus-small"))))
          : el("p", { class: "hint" }, t("focusClusterEmpty")),
      );
    } else this.ui.focusBody.replaceChildren();
  }

  focusCard(card, className) {
    const hidden = isPlaceholder(card);
    const size = stackSize(card);
    return el(
      "div",
      { class: `card ${className}${hidden ? " face-down" : ""}`, dataset: { color: card.color ?? "yellow", cardId: card.id } },
      el("p", { class: "card-text" }, hidden ? t("focusHiddenCard") : card.text),
      size > 1 ? el("span", { class: "stack-chip" }, t("stackOf", { count: size })) : null,
    );
  }

  // ---- voting ----------------------------------------------------------------------------

  renderVoting(vote) {
    const open = Boolean(vote?.open);
    this.ui.votePanel.hidden = !open;
    this.ui.budget.hidden = !open;
    if (!open) {
      this.busy.clear();
      this.errors.clear();
      return;
    }
    const left = vote.dots_left ?? vote.budget;
    this.ui.budgetDots.replaceChildren(...dotSymbols(left, vote.budget));
    this.ui.budgetText.textContent = t("dotsLeft", { left, budget: vote.budget });
    this.ui.budget.dataset.left = String(left);
    this.ui.voteRules.textContent = t("voteRules", { cap: vote.per_card_cap });
    this.ui.voteLive.textContent = vote.show_live ? t("voteLive", { count: vote.votes_cast ?? 0 }) : t("voteSecret");
    const online = this.status === "online";
    this.ui.voteOffline.hidden = online;

    const { groups, hidden } = votingGroups(this.board);
    this.ui.voteHidden.hidden = hidden === 0;
    this.ui.voteHidden.textContent = hidden === 1 ? t("voteHidden1") : t("voteHidden", { count: hidden });
    this.ui.voteEmpty.hidden = groups.length > 0;
    this.layoutGroups(groups);
    for (const group of groups) for (const card of group.cards) this.updateRow(card, vote, online);
  }

  // Groups and the order of rows; rows are kept (and updated in place), so a button keeps the
  // keyboard focus while dots come and go.
  layoutGroups(groups) {
    const signature = JSON.stringify(groups.map((g) => [g.key, g.name, g.headline, g.cards.map((c) => c.id)]));
    const wanted = new Set(groups.flatMap((g) => g.cards.map((c) => c.id)));
    for (const [id, row] of this.rows) {
      if (!wanted.has(id)) {
        row.node.remove();
        this.rows.delete(id);
      }
    }
    if (signature === this.groupsSignature) return;
    this.groupsSignature = signature;
    const focused = document.activeElement;
    const sections = groups.map((group) =>
      el(
        "section",
        { class: "vote-group" },
        group.name ? el("h3", { class: "vote-group-name" }, group.name) : null,
        group.headline ? el("p", { class: "vote-group-headline" }, group.headline) : null,
        el("ul", { class: "vote-cards" }, group.cards.map((card) => this.row(card).node)),
      ),
    );
    this.ui.voteGroups.replaceChildren(...sections);
    if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
  }

  row(card) {
    let row = this.rows.get(card.id);
    if (row) return row;
    const textId = `vote-text-${card.id}`;
    const parts = {
      text: el("p", { class: "card-text", id: textId }),
      stack: el("span", { class: "stack-chip" }),
      live: el("span", { class: "vote-live-count" }),
      mineDots: el("span", { class: "vote-mine-dots", "aria-hidden": "true" }),
      mineText: el("span", { class: "vote-mine-text" }),
      retract: el(
        "button",
        { type: "button", class: "vote-retract", "data-action": "retract", "aria-describedby": textId, onclick: () => this.vote("vote:retract", card.id) },
        el("span", { "aria-hidden": "true", class: "vote-sign" }, "−"),
        t("voteRetract"),
      ),
      cast: el(
        "button",
        { type: "button", class: "primary vote-cast", "data-action": "cast", "aria-describedby": textId, onclick: () => this.vote("vote:cast", card.id) },
        el("span", { "aria-hidden": "true", class: "vote-sign" }, "+"),
        t("voteCast"),
      ),
      error: el("p", { class: "vote-error", role: "alert" }),
    };
    const node = el(
      "li",
      { class: "card vote-card", dataset: { cardId: card.id } },
      el("div", { class: "vote-card-head" }, parts.text, parts.live),
      parts.stack,
      el("div", { class: "vote-mine" }, parts.mineDots, parts.mineText),
      el("div", { class: "vote-buttons" }, parts.retract, parts.cast),
      parts.error,
    );
    row = { node, parts };
    this.rows.set(card.id, row);
    return row;
  }

  updateRow(card, vote, online) {
    const { node, parts } = this.row(card);
    const mine = this.mineOn(card, vote);
    const cap = vote.per_card_cap;
    const left = vote.dots_left ?? vote.budget;
    node.dataset.color = card.color ?? "yellow";
    node.dataset.mine = String(mine);
    if (this.busy.has(card.id)) node.setAttribute("aria-busy", "true");
    else node.removeAttribute("aria-busy");
    setText(parts.text, card.text);
    const size = stackSize(card);
    parts.stack.hidden = size === 1;
    setText(parts.stack, t("stackOf", { count: size }));
    const live = vote.show_live && vote.tally ? vote.tally[String(card.id)] ?? 0 : null;
    parts.live.hidden = live === null;
    setText(parts.live, live === null ? "" : t("voteTotal", { count: live }));
    parts.mineDots.replaceChildren(...dotSymbols(mine, cap));
    setText(parts.mineText, t("voteMine", { mine, cap }));
    const full = mine >= cap || left <= 0;
    parts.cast.classList.toggle("full", full);
    parts.cast.disabled = !online;
    const retractFocused = document.activeElement === parts.retract;
    parts.retract.disabled = !online || mine === 0;
    if (retractFocused && parts.retract.disabled && online) parts.cast.focus({ preventScroll: true });
    setText(parts.error, this.errors.get(card.id) ?? "");
  }

  // Your dots on a card: on its top, plus any left on cards stacked onto it since your last vote.
  mineOn(card, vote) {
    const mine = vote.mine ?? {};
    return [card, ...(card.stack ?? [])].reduce((sum, one) => sum + (mine[String(one.id)] ?? 0), 0);
  }

  async vote(event, cardId) {
    const connection = this.connection;
    const vote = this.board?.vote;
    if (!connection || !vote?.open) return;
    this.busy.set(cardId, (this.busy.get(cardId) ?? 0) + 1);
    this.errors.delete(cardId);
    this.render();
    const ack = await connection.call(event, { card_id: cardId });
    const pending = this.busy.get(cardId) - 1;
    if (pending > 0) this.busy.set(cardId, pending);
    else this.busy.delete(cardId);
    if (ack.ok) {
      this.errors.clear(); // what the last refusals said may no longer hold
      applyOwnVote(connection, ack.data);
      const left = ack.data.dots_left;
      announce(t(event === "vote:cast" ? "announceDotPlaced" : "announceDotRetracted", { left, budget: vote.budget }));
    } else {
      this.errors.set(cardId, this.errorMessage(ack.error, vote, event));
      announce(this.errors.get(cardId));
    }
    if (this.connection === connection) this.render();
  }

  errorMessage(error, vote, event) {
    switch (error?.code) {
      case "budget_exceeded":
        return t("voteBudgetExceeded", { budget: vote.budget });
      case "cap_reached":
        return t("voteCapReached", { cap: vote.per_card_cap });
      case "offline":
      case "timeout":
        return t(event === "vote:cast" ? "voteOfflineCast" : "voteOfflineRetract");
      case "not_found":
        return t("voteCardGone");
      default:
        return t("voteFailed", { message: error?.message ?? "" });
    }
  }

  // ---- the result ------------------------------------------------------------------------

  renderResult(vote) {
    const closed = Boolean(vote && !vote.open && vote.ranking);
    this.ui.result.hidden = !closed;
    if (!closed) return;
    const tally = vote.tally ?? {};
    const rows = places(vote.ranking, tally)
      .map((entry) => ({ ...entry, card: this.model.card(entry.cardId) }))
      .filter((entry) => entry.card && entry.dots > 0);
    const mine = vote.mine ?? {};
    const signature = JSON.stringify([vote.round_id, rows.map((r) => [r.cardId, r.dots, r.place, r.card.text, r.card.color, stackSize(r.card), mine[String(r.cardId)] ?? 0])]);
    if (this.ui.ranking.dataset.signature === signature) return;
    this.ui.ranking.dataset.signature = signature;
    this.ui.ranking.replaceChildren(
      ...rows.map((row) => {
        const yours = this.mineOn(row.card, vote);
        const size = stackSize(row.card);
        return el(
          "li",
          { class: "result-row", dataset: { cardId: row.cardId, place: row.place } },
          el("span", { class: "result-place" }, t("place", { place: row.place })),
          el(
            "div",
            { class: "card result-card", dataset: { color: row.card.color ?? "yellow" } },
            el("p", { class: "card-text" }, row.card.text),
            el("span", { class: "result-dots" }, el("span", { class: "dot dot-filled", "aria-hidden": "true" }), row.dots === 1 ? t("resultDots1") : t("resultDots", { count: row.dots })),
            size > 1 ? el("span", { class: "stack-chip" }, t("stackOf", { count: size })) : null,
            yours ? el("span", { class: "result-yours" }, t("resultYours", { count: yours })) : null,
          ),
        );
      }),
    );
    this.ui.resultNote.textContent = !rows.length ? t("resultNone") : vote.votes_cast === 1 ? t("resultTotal1") : t("resultTotal", { count: vote.votes_cast ?? 0 });
  }

  // ---- the timer -------------------------------------------------------------------------

  tick() {
    const timer = this.connection ? this.board?.timer ?? null : null;
    const voting = Boolean(this.board?.vote?.open) && Boolean(this.connection);
    this.ui.timer.hidden = !timer;
    this.ui.strip.hidden = !timer && !voting;
    if (!timer) return;
    const seconds = secondsLeft(timer);
    const ended = timer.state === "ended" || seconds === 0;
    setText(this.ui.timerValue, mmss(seconds));
    this.ui.timer.dataset.state = ended ? "ended" : timer.state;
    setText(this.ui.timerState, ended ? t("timerEnded") : timer.state === "paused" ? t("timerPaused") : t("timerLeft"));
    if (this.seen.timerEnded === false && ended) announce(t("announceTimeUp"));
    this.seen.timerEnded = ended;
  }
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
