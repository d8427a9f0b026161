// The client-side replica of a workshop. Every screen holds one and changes it only by
// applying the server's events in sequence order (tests/replica.py follows the same rules).

export class Gap extends Error {}

function take(items, id) {
  const index = items.findIndex((item) => item.id === id);
  return index === -1 ? null : items.splice(index, 1)[0];
}

function insertAt(items, item, index) {
  const at = index == null ? items.length : Math.min(Math.max(index, 0), items.length);
  items.splice(at, 0, item);
}

export class BoardModel {
  constructor(snapshot) {
    this.load(snapshot);
  }

  load(snapshot) {
    this.seq = snapshot.seq;
    this.workshop = structuredClone(snapshot.workshop);
    this.you = snapshot.you;
    this.participantCount = snapshot.participant_count ?? 0;
    this.boards = structuredClone(snapshot.boards);
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

  *allCards() {
    for (const board of this.boards) {
      for (const cluster of board.clusters) yield* cluster.cards;
      yield* board.unsorted;
    }
  }

  card(cardId) {
    for (const card of this.allCards()) if (card.id === cardId) return card;
    return null;
  }

  cardsBy(participantId) {
    return [...this.allCards()].filter((card) => card.author_id === participantId);
  }

  takeCard(cardId) {
    for (const board of this.boards) {
      for (const list of [board.unsorted, ...board.clusters.map((c) => c.cards)]) {
        const card = take(list, cardId);
        if (card) return card;
      }
    }
    return null;
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
    if (list) insertAt(list, { ...card }, index);
  },
  "card.updated"(model, { card }) {
    const existing = model.card(card.id);
    if (existing) Object.assign(existing, { text: card.text, color: card.color, updated_at: card.updated_at });
  },
  "card.moved"(model, data) {
    const card = model.takeCard(data.card_id);
    const list = model.container(data.board_id, data.cluster_id);
    if (!card || !list) return;
    card.board_id = data.board_id;
    card.cluster_id = data.cluster_id;
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
    if (existing) Object.assign(existing, { name: cluster.name, list_style: cluster.list_style });
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
      card.cluster_id = null;
      board.unsorted.push(card);
    }
  },
  "board.created"(model, { board, index }) {
    const created = { ...structuredClone(board), unsorted: [] };
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
  "board.activated"(model, data) {
    model.workshop.active_board_id = data.board_id;
  },
  "workshop.updated"(model, { workshop }) {
    model.workshop = { ...workshop };
  },
};
