// The client-side replica of a workshop. Every screen holds one and changes it only by
// applying the server's events in sequence order (tests/replica.py follows the same rules).
//
// Hidden cards (a hidden card query, docs/protocol.md): a screen that may not see one holds a
// placeholder (hidden, empty text). The author's connections get the card's events whole, then
// the placeholder with the same seq, which apply() drops as a duplicate; so a moderator's edit of
// the author's hidden card shows on the author's phone. keepOwnCard() also takes the card from
// the ack, and a placeholder never overwrites a card held whole.
//
// Stacks (docs/protocol.md "Stacking duplicates"): a card in a container has `stack`, the cards
// lying on it; they are in no container of their own. allCards() and card() include them.

export class Gap extends Error {}

function take(items, id) {
  const index = items.findIndex((item) => item.id === id);
  return index === -1 ? null : items.splice(index, 1)[0];
}

// What `cards.revealed` (or the author's own copy) fills in on a placeholder.
const CARD_FIELDS = ["text", "color", "author_id", "author_name", "client_id", "hidden", "updated_at"];

// A hidden card this screen may not see: real cards always have text.
export function isPlaceholder(card) {
  return Boolean(card?.hidden) && card.text === "";
}

// Every card of `container` with the cards stacked on it, tops first.
function withStacks(container) {
  return container.flatMap((top) => [top, ...(top.stack ?? [])]);
}

function insertAt(items, item, index) {
  const at = index == null ? items.length : Math.min(Math.max(index, 0), items.length);
  items.splice(at, 0, item);
}

export class BoardModel {
  constructor(snapshot) {
    this.own = new Map(); // card id -> this participant's own hidden card, whole (from its acks)
    this.load(snapshot);
  }

  load(snapshot) {
    this.seq = snapshot.seq;
    this.workshop = structuredClone(snapshot.workshop);
    this.you = snapshot.you;
    this.participantCount = snapshot.participant_count ?? 0;
    this.boards = structuredClone(snapshot.boards);
    this.history = snapshot.history ?? null; // the moderator's undo and redo state
    for (const list of this.containers()) for (const card of list) card.stack ??= [];
    for (const card of this.allCards()) this.fillOwn(card);
  }

  // The author's own copy of a card (the ack of card:create or card:update): kept whole in the
  // model even where the live event brought a placeholder.
  keepOwnCard(card) {
    if (!card || card.id == null) return;
    const existing = this.card(card.id);
    const known = this.own.get(card.id) ?? (isPlaceholder(existing) ? null : existing);
    // An ack that arrives after a newer change (the moderator's edit, live) must not undo it.
    if (known && (known.updated_at || "") > (card.updated_at || "")) return;
    if (card.hidden) this.own.set(card.id, { ...card });
    else this.own.delete(card.id);
    if (existing) for (const field of CARD_FIELDS) existing[field] = card[field];
  }

  fillOwn(card) {
    if (!isPlaceholder(card)) return card;
    const own = this.own.get(card.id);
    if (own) for (const field of CARD_FIELDS) card[field] = own[field];
    return card;
  }

  // Cards of the board that are hidden (face down), whether this screen may read them or not.
  hiddenCards(board) {
    if (!board) return [];
    return withStacks([...board.unsorted, ...board.clusters.flatMap((c) => c.cards)]).filter((card) => card.hidden);
  }

  board(boardId) {
    return this.boards.find((board) => board.id === boardId) ?? null;
  }

  activeBoard() {
    return this.board(this.workshop.active_board_id) ?? this.boards[0] ?? null;
  }

  cluster(clusterId) {
    for (const board of this.boards) {
      const cluster = board.clusters.find((c) => c.id === clusterId);
      if (cluster) return cluster;
    }
    return null;
  }

  container(boardId, clusterId) {
    const board = this.board(boardId);
    if (!board) return null;
    if (clusterId == null) return board.unsorted;
    return board.clusters.find((c) => c.id === clusterId)?.cards ?? null;
  }

  // Every container (unsorted cards and clusters' cards) of every board.
  *containers() {
    for (const board of this.boards) {
      for (const cluster of board.clusters) yield cluster.cards;
      yield board.unsorted;
    }
  }

  // Every card, stacked ones right after their top.
  *allCards() {
    for (const list of this.containers()) yield* withStacks(list);
  }

  // The card in a container that `cardId` is, or lies on (its stack's top).
  topOf(cardId) {
    for (const list of this.containers()) {
      for (const top of list) if (top.id === cardId || top.stack?.some((card) => card.id === cardId)) return top;
    }
    return null;
  }

  card(cardId) {
    for (const card of this.allCards()) if (card.id === cardId) return card;
    return null;
  }

  cardsBy(participantId) {
    return [...this.allCards()].filter((card) => card.author_id === participantId);
  }

  // Take a card out of its container (its stack goes with it) or out of a stack.
  takeCard(cardId) {
    for (const list of this.containers()) {
      let card = take(list, cardId);
      for (const top of list) card ??= take(top.stack ?? [], cardId);
      if (card) {
        card.stack ??= [];
        return card;
      }
    }
    return null;
  }

  // May this screen read a hidden card (as tests/replica.py decides)?
  mayRead(card) {
    const role = this.you?.role;
    if (role === "moderator") return true;
    if (role === "assistant") return card.author_role === "assistant";
    return role === "participant" && card.author_id === this.you.participant_id;
  }

  // Apply one event. Returns false for one already applied; throws Gap when one is missing.
  apply(message) {
    if (message.seq <= this.seq) return false;
    if (message.seq !== this.seq + 1) throw new Gap(`expected ${this.seq + 1}, got ${message.seq}`);
    const handler = HANDLERS[message.type];
    if (handler) handler(this, message.data);
    this.seq = message.seq;
    return true;
  }
}

const HANDLERS = {
  "card.created"(model, { card, index }) {
    const list = model.container(card.board_id, card.cluster_id);
    if (list) insertAt(list, model.fillOwn({ ...card, stack: [] }), index);
  },
  "card.updated"(model, { card }) {
    const existing = model.card(card.id);
    if (!existing) return;
    if (isPlaceholder(card) && !isPlaceholder(existing)) return; // our own card, kept whole
    if (model.own.has(card.id)) model.own.set(card.id, { ...card }); // ours, changed by the moderator
    Object.assign(existing, { text: card.text, color: card.color, updated_at: card.updated_at, hidden: card.hidden });
  },
  "cards.revealed"(model, { cards }) {
    for (const card of cards) {
      model.own.delete(card.id);
      const existing = model.card(card.id);
      if (existing) for (const field of CARD_FIELDS) existing[field] = card[field];
    }
  },
  "card.moved"(model, data) {
    const card = model.takeCard(data.card_id);
    const list = model.container(data.board_id, data.cluster_id);
    if (!card || !list) return;
    card.stacked_on_id = null;
    for (const moved of [card, ...card.stack]) {
      moved.board_id = data.board_id;
      moved.cluster_id = data.cluster_id;
    }
    insertAt(list, card, data.index);
  },
  "card.deleted"(model, data) {
    model.takeCard(data.card_id);
  },
  "cluster.created"(model, { cluster, index }) {
    const board = model.board(cluster.board_id);
    if (board) insertAt(board.clusters, { ...cluster, cards: [] }, index);
  },
  "cluster.updated"(model, { cluster }) {
    const existing = model.cluster(cluster.id);
    if (existing) Object.assign(existing, { name: cluster.name, list_style: cluster.list_style, headline: cluster.headline ?? "" });
  },
  "cluster.moved"(model, data) {
    const board = model.board(data.board_id);
    const cluster = board && take(board.clusters, data.cluster_id);
    if (cluster) insertAt(board.clusters, cluster, data.index);
  },
  "cluster.deleted"(model, data) {
    const board = model.board(data.board_id);
    const cluster = board && take(board.clusters, data.cluster_id);
    if (!cluster) return;
    for (const card of cluster.cards) {
      for (const one of [card, ...(card.stack ?? [])]) one.cluster_id = null;
      board.unsorted.push(card);
    }
  },
  "board.created"(model, { board, index }) {
    const created = { ...structuredClone(board), unsorted: [], done_count: 0, done: false };
    created.clusters = created.clusters.map((c) => ({ ...c, cards: [] }));
    insertAt(model.boards, created, index);
  },
  "board.updated"(model, { board }) {
    const existing = model.board(board.id);
    if (existing) Object.assign(existing, { title: board.title, settings: board.settings });
  },
  "board.moved"(model, data) {
    const board = take(model.boards, data.board_id);
    if (board) insertAt(model.boards, board, data.index);
  },
  "participant.done"(model, data) {
    const board = model.board(data.board_id);
    if (!board) return;
    board.done_count = data.done_count;
    if (data.done_count === 0) board.done = false; // nobody is done: a new round, or everyone took it back
  },
  "board.activated"(model, data) {
    model.workshop.active_board_id = data.board_id;
  },
  "workshop.updated"(model, { workshop }) {
    model.workshop = { focus: model.workshop.focus ?? null, ...workshop };
  },
  // ---- stacks, undo (restore, hide again) and focus (docs/protocol.md) ---------------------
  "card.stacked"(model, data) {
    const moved = model.takeCard(data.card_id);
    const top = model.topOf(data.onto_card_id);
    if (!moved || !top) return;
    const pool = new Map([...(top.stack ?? []), moved, ...moved.stack].map((card) => [card.id, card]));
    top.stack = data.stack.map((id) => pool.get(id)).filter(Boolean);
    for (const card of top.stack) {
      Object.assign(card, { stacked_on_id: top.id, board_id: data.board_id, cluster_id: data.cluster_id, stack: [] });
    }
  },
  "card.unstacked"(model, data) {
    const top = model.topOf(data.from_card_id);
    const card = top && take(top.stack ?? [], data.card_id);
    const list = model.container(data.board_id, data.cluster_id);
    if (!card || !list) return;
    Object.assign(card, { stacked_on_id: null, board_id: data.board_id, cluster_id: data.cluster_id, stack: [] });
    insertAt(list, card, data.index);
  },
  "card.restored"(model, { card, index }) {
    const restored = model.fillOwn({ ...card, stack: [] });
    const top = card.stacked_on_id != null ? model.topOf(card.stacked_on_id) : null;
    if (top) {
      insertAt(top.stack, restored, index);
      return;
    }
    restored.stacked_on_id = null;
    const list = model.container(card.board_id, card.cluster_id);
    if (list) insertAt(list, restored, index);
  },
  "cluster.restored"(model, { cluster, index, card_ids: cardIds }) {
    const board = model.board(cluster.board_id);
    if (!board) return;
    const restored = { ...cluster, headline: cluster.headline ?? "", cards: [] };
    for (const id of cardIds) {
      const card = take(board.unsorted, id);
      if (!card) continue;
      for (const one of [card, ...(card.stack ?? [])]) one.cluster_id = cluster.id;
      restored.cards.push(card);
    }
    insertAt(board.clusters, restored, index);
  },
  "cards.hidden"(model, { card_ids: cardIds }) {
    const hidden = new Set(cardIds);
    for (const card of model.allCards()) {
      if (!hidden.has(card.id)) continue;
      card.hidden = true;
      if (model.mayRead(card)) model.own.set(card.id, { ...card });
      else Object.assign(card, { text: "", color: null, author_id: null, author_name: "", client_id: null });
    }
  },
  "focus.set"(model, { card_id: cardId = null, cluster_id: clusterId = null }) {
    model.workshop.focus = cardId == null && clusterId == null ? null : { card_id: cardId, cluster_id: clusterId };
  },
};
