// The console's danger zone: deleting the workshop for good (DELETE /api/workshops/<id> with the
// moderator key in the Authorization header), after the moderator has typed its title or join
// code, and the page's "deleted" state (also when another window deleted it).

import { announce, t } from "./page.js";
import { forgetWorkshop } from "./start.js";

const $ = (id) => document.getElementById(id);
let deletingHere = false; // this window sent the DELETE: the socket's notice is about our own

// Title and join code compare without regard to case and runs of spaces.
const normalised = (text) => (text ?? "").trim().replace(/\s+/g, " ").toLocaleLowerCase();
const normalisedCode = (text) => (text ?? "").replace(/\s+/g, "").toUpperCase();

export function confirms(typed, { title, code }) {
  if (!typed.trim()) return false;
  return normalised(typed) === normalised(title) || (Boolean(code) && normalisedCode(typed) === normalisedCode(code));
}

// The page after the workshop is gone: nothing of the console is left to use.
export function showDeleted({ workshopId, title, elsewhere = false }) {
  forgetWorkshop(workshopId);
  const main = $("main");
  if (main.classList.contains("is-deleted")) return;
  $("delete-dialog").close?.();
  main.classList.add("is-deleted");
  const status = $("status");
  status.dataset.status = "refused";
  status.textContent = t("deletedStatus");
  for (const id of ["open-board-top", "history-buttons"]) $(id).hidden = true;
  const text = t("deletedText", { title });
  $("deleted-text").textContent = elsewhere && !deletingHere ? `${t("deletedElsewhere")} ${text}` : text;
  $("deleted").hidden = false;
  document.title = `${$("deleted-heading").textContent} · pinboard`;
  $("deleted").focus();
  announce($("deleted-heading").textContent);
}

// current(): {title, code} of the workshop as the console knows it now.
export function initDeleteWorkshop({ workshopId, moderatorKey, current, onDeleted }) {
  const dialog = $("delete-dialog");
  const input = $("delete-confirm-input");
  const confirm = $("delete-confirm");
  const error = $("delete-error");

  const setError = (message) => {
    error.textContent = message;
    error.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  // aria-disabled, not disabled: Enter in the field still submits and says what is missing.
  const update = () => {
    const ready = confirms(input.value, current()) && !confirm.dataset.pending;
    confirm.setAttribute("aria-disabled", String(!ready));
  };

  $("delete-workshop").addEventListener("click", () => {
    const { title, code } = current();
    $("delete-confirm-label").textContent = t("deleteConfirmLabel", { title, code: code || "–" });
    input.value = "";
    setError("");
    update();
    dialog.showModal();
    input.focus();
  });
  $("delete-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => $("delete-workshop").isConnected && !$("main").classList.contains("is-deleted") && $("delete-workshop").focus());
  input.addEventListener("input", () => {
    setError("");
    update();
  });

  $("delete-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (confirm.dataset.pending) return;
    if (!confirms(input.value, current())) {
      setError(t("deleteMismatch"));
      input.focus();
      return;
    }
    confirm.dataset.pending = "1";
    const label = confirm.textContent;
    confirm.textContent = t("deleting");
    update();
    deletingHere = true;
    const outcome = await deleteWorkshop(workshopId, moderatorKey);
    deletingHere = outcome.ok;
    delete confirm.dataset.pending;
    confirm.textContent = label;
    update();
    if (outcome.ok) {
      dialog.close();
      onDeleted();
      showDeleted({ workshopId, title: current().title });
    } else {
      setError(outcome.message);
      input.focus();
    }
  });
}

async function deleteWorkshop(workshopId, moderatorKey) {
  let response;
  try {
    response = await fetch(`/api/workshops/${encodeURIComponent(workshopId)}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${moderatorKey}`, Accept: "application/json" },
      cache: "no-store",
    });
  } catch {
    return { ok: false, message: t("deleteOffline") };
  }
  if (response.ok || response.status === 404) return { ok: true }; // 404: it is gone already
  const body = await response.json().catch(() => ({}));
  return { ok: false, message: t("deleteFailed", { message: body.error?.message ?? String(response.status) }) };
}
