// The one connection module every screen uses: Socket.IO with reconnect and backoff, catching
// up with `sync {since}` after a gap, applying `event` messages in sequence order (ignoring
// duplicates, resyncing on a gap that does not close within GAP_GRACE_MS) and an outbox kept in
// localStorage, so that nothing typed while offline is lost and each change reaches the server
// exactly once (client_id). The server's `head {seq}` every few seconds makes a lost event
// harmless: behind it, we sync.

import { io } from "../vendor/socket.io-client-4.8.4/socket.io.esm.min.js";
import { BoardModel } from "./board-model.js";
import { t } from "./page.js";

const CALL_TIMEOUT_MS = 10000;
const RETRY_MS = 2000;
// An event may still be on its way through the message queue when a head overtakes it.
const HEAD_GRACE_MS = 500;
// Several server processes: another process's event may arrive after a later one of our own.
const GAP_GRACE_MS = 300;
// Errors after which sending the same message again can succeed.
const RETRYABLE = new Set(["timeout", "offline", "rate_limited", "internal"]);

// A random id for idempotent creates. crypto.randomUUID needs a secure context, which a phone
// on the venue's Wi-Fi talking plain HTTP to a laptop does not have; getRandomValues works anywhere.
export function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

class Outbox {
  constructor(storageKey) {
    this.storageKey = storageKey;
    this.entries = [];
    if (storageKey) {
      try {
        this.entries = JSON.parse(localStorage.getItem(storageKey) || "[]");
      } catch {
        this.entries = [];
      }
    }
  }

  save() {
    if (!this.storageKey) return;
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(this.entries));
    } catch {
      // Storage full or disabled: the entries still live in memory until the page closes.
    }
  }

  add(entry) {
    this.entries.push(entry);
    this.save();
  }

  remove(entry) {
    this.entries = this.entries.filter((e) => e.id !== entry.id);
    this.save();
  }

  pending() {
    return this.entries.filter((e) => !e.error);
  }
}

export class Connection extends EventTarget {
  // auth: the Socket.IO auth object ({workshop, token} | {workshop, projector_key} | {workshop, moderator_key}).
  // outboxKey: localStorage key for the outbox (null keeps it in memory only).
  constructor({ auth, outboxKey = null }) {
    super();
    this.model = null;
    this.status = "connecting";
    this.outbox = new Outbox(outboxKey);
    this.syncing = null;
    this.buffered = [];
    this.flushing = false;
    this.closed = false;
    this.retryTimer = null;
    this.headTimer = null;
    this.gapTimer = null;
    this.socket = io({
      auth,
      // Behind several server processes the proxy keeps a page on one of them by this value
      // (docs/deploy.md): the client IP cannot, a venue's phones all come from one NAT address.
      // The same for every reconnect of this page, so its long-polling requests stay together.
      query: { route: newClientId() },
      autoConnect: false,
      // WebSocket first; where a proxy or network blocks it, fall back to long-polling.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 8000,
      randomizationFactor: 0.5,
      timeout: CALL_TIMEOUT_MS,
    });
    this.socket.on("connect", () => this.onConnect());
    this.socket.on("disconnect", () => this.setStatus("offline"));
    this.socket.on("connect_error", (error) => this.onConnectError(error));
    this.socket.on("event", (message) => this.onEvent(message));
    // A server with a broadcast window sends a burst's events as one list, in sequence order.
    this.socket.on("events", (messages) => messages.forEach((message) => this.onEvent(message)));
    this.socket.on("head", (message) => this.onHead(message));
    this.socket.on("workshop_deleted", () => {
      this.close();
      this.setStatus("refused");
      this.emitLocal("refused", { message: "deleted" });
    });
    this.socket.on("presence", (message) => {
      if (this.model) this.model.participantCount = message.participant_count;
      this.emitLocal("presence", message);
    });
    window.addEventListener("online", () => this.wake());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.wake();
    });
  }

  start() {
    this.socket.connect();
    return this;
  }

  // Stop for good: no reconnects, wake-ups or retries with this credential any more.
  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.emitLocal("status", { status });
  }

  emitLocal(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  wake() {
    if (this.closed) return;
    if (!this.socket.connected) {
      if (this.status !== "refused") this.socket.connect();
      return;
    }
    this.sync().then(() => this.flush());
  }

  async onConnect() {
    this.setStatus("syncing");
    await this.sync();
    if (this.socket.connected) this.setStatus("online");
    this.flush();
  }

  onConnectError(error) {
    if (this.socket.active) {
      this.setStatus("offline"); // a network problem: Socket.IO keeps trying with backoff
      return;
    }
    this.setStatus("refused"); // the server said no: retrying would not help
    this.emitLocal("refused", { message: error.message });
  }

  // ---- calls -----------------------------------------------------------------------------

  // Send one event and resolve with its ack ({ok, data, seq} | {ok: false, error}); never rejects.
  call(event, payload = {}, timeout = CALL_TIMEOUT_MS) {
    if (!this.socket.connected) {
      return Promise.resolve({ ok: false, error: { code: "offline", message: t("connectionOffline") } });
    }
    return new Promise((resolve) => {
      this.socket.timeout(timeout).emit(event, payload, (error, ack) => {
        if (error) resolve({ ok: false, error: { code: "timeout", message: t("connectionTimeout") } });
        else resolve(ack);
      });
    });
  }

  // ---- catching up -----------------------------------------------------------------------

  sync() {
    if (!this.syncing) {
      this.syncing = this.runSync().finally(() => {
        this.syncing = null;
      });
    }
    return this.syncing;
  }

  async runSync() {
    const since = this.model ? this.model.seq : null;
    const ack = await this.call("sync", since == null ? {} : { since });
    if (!ack.ok) return;
    this.emitLocal("synced", { serverTime: ack.data.server_time, history: ack.data.history });
    if (ack.data.snapshot) {
      if (this.model) this.model.load(ack.data.snapshot);
      else this.model = new BoardModel(ack.data.snapshot);
      this.emitLocal("snapshot", { model: this.model });
    } else {
      for (const message of ack.data.events) this.applyEvent(message);
    }
    this.applyBuffered();
    if (this.buffered.length && !this.gapTimer) {
      this.gapTimer = setTimeout(() => this.gapTimedOut(), GAP_GRACE_MS);
    }
  }

  onEvent(message) {
    if (!this.model || this.syncing) {
      this.buffered.push(message);
      return;
    }
    if (message.seq > this.model.seq + 1) {
      // With several server processes an event from another one may arrive after a later one
      // from ours: wait a moment for it before catching up with `sync`.
      this.buffered.push(message);
      if (!this.gapTimer) this.gapTimer = setTimeout(() => this.gapTimedOut(), GAP_GRACE_MS);
      return;
    }
    this.applyEvent(message);
    this.applyBuffered();
  }

  // Apply what was buffered and is now next in line; drop what is already applied.
  applyBuffered() {
    this.buffered.sort((a, b) => a.seq - b.seq);
    while (this.buffered.length && this.buffered[0].seq <= this.model.seq + 1) {
      this.applyEvent(this.buffered.shift());
    }
    if (!this.buffered.length) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    }
  }

  gapTimedOut() {
    this.gapTimer = null;
    if (this.buffered.length && !this.closed) this.sync();
  }

  // The server's last seq: behind it (events lost on their way), catch up once the grace is over.
  onHead(message) {
    if (!this.model || this.syncing || message.seq <= this.model.seq) return;
    clearTimeout(this.headTimer);
    this.headTimer = setTimeout(() => {
      if (this.model && !this.closed && message.seq > this.model.seq) this.sync();
    }, HEAD_GRACE_MS);
  }

  applyEvent(message) {
    if (this.model.apply(message)) this.emitLocal("change", message);
  }

  // ---- the outbox ------------------------------------------------------------------------

  // Queue a change that must reach the server exactly once, even across reloads and offline
  // periods. card:create payloads get a client_id here, which makes resending harmless.
  send(event, payload) {
    const entry = { id: newClientId(), event, payload: { ...payload }, queuedAt: Date.now() };
    if (event === "card:create" && !entry.payload.client_id) entry.payload.client_id = entry.id;
    this.outbox.add(entry);
    this.emitLocal("outbox", { entries: this.outbox.entries });
    this.flush();
    return entry;
  }

  discard(entry) {
    this.outbox.remove(entry);
    this.emitLocal("outbox", { entries: this.outbox.entries });
  }

  // Send the outbox in order, one at a time, until nothing unsent is left (entries queued while
  // a flush runs are sent by the same flush) or a retryable error says to wait.
  async flush() {
    if (this.flushing || this.closed || !this.socket.connected) return;
    this.flushing = true;
    try {
      let entry;
      while (this.socket.connected && (entry = this.outbox.pending()[0])) {
        const ack = await this.call(entry.event, entry.payload);
        if (this.closed) return;
        if (ack.ok || (entry.event === "card:delete" && ack.error.code === "not_found")) {
          this.outbox.remove(entry);
          this.emitLocal("sent", { entry, ack });
        } else if (RETRYABLE.has(ack.error.code)) {
          this.scheduleRetry();
          return;
        } else {
          entry.error = ack.error; // kept, and shown, so the participant can copy the text
          this.outbox.save();
        }
        this.emitLocal("outbox", { entries: this.outbox.entries });
      }
    } finally {
      this.flushing = false;
    }
  }

  scheduleRetry() {
    clearTimeout(this.retryTimer);
    if (!this.closed) this.retryTimer = setTimeout(() => this.flush(), RETRY_MS);
  }
}
