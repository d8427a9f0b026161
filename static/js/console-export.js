// The export panel of the moderator console: downloads the results document, the card table,
// the workshop file and the board pictures with the moderator key in the Authorization header
// (never in a URL), and saves them under the server's file name.

import { keyFromFragment, pageData } from "./page.js";

const strings = JSON.parse(document.getElementById("export-strings").textContent);
const say = (key, values = {}) => strings[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
const workshopId = pageData().workshopId;
const status = document.getElementById("export-status");
const boardSelect = document.getElementById("export-board");

// The name in Content-Disposition: the UTF-8 filename* when there is one, else the ASCII one.
export function fileNameFrom(header, fallback) {
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(header || "");
  if (encoded) return decodeURIComponent(encoded[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header || "");
  return plain ? plain[1] : fallback;
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function download(button) {
  const format = button.dataset.format;
  const query = new URLSearchParams({ format });
  if (document.getElementById("export-authors").checked && ["docx", "pdf", "html", "md", "csv"].includes(format)) {
    query.set("authors", "1");
  }
  if (button.hasAttribute("data-picture")) query.set("board", boardSelect.value);
  button.disabled = true;
  status.textContent = say("working", { format: format.toUpperCase() });
  try {
    const response = await fetch(`/api/workshops/${encodeURIComponent(workshopId)}/export?${query}`, {
      headers: { Authorization: `Bearer ${keyFromFragment()}` },
      cache: "no-store",
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      status.textContent = say("failed", { message: body.error?.message ?? response.status });
      return;
    }
    const name = fileNameFrom(response.headers.get("Content-Disposition"), `export.${format}`);
    saveBlob(await response.blob(), name);
    status.textContent = say("done", { name });
  } catch {
    status.textContent = say("failed", { message: say("offline") });
  } finally {
    button.disabled = false;
  }
}

// Board pictures: one option per board, filled from a snapshot over HTTP (this module does not
// share the console's socket; the list only needs titles and ids).
async function loadBoards() {
  try {
    const response = await fetch(`/api/workshops/${encodeURIComponent(workshopId)}`, {
      headers: { Authorization: `Bearer ${keyFromFragment()}` },
      cache: "no-store",
    });
    if (!response.ok) return;
    const snapshot = await response.json();
    boardSelect.replaceChildren(
      ...snapshot.boards.map((board, index) => {
        const option = document.createElement("option");
        option.value = String(board.id);
        option.textContent = `${index + 1}. ${board.title}`;
        return option;
      }),
    );
  } catch {
    // Offline: the picture buttons stay without a board until the next load.
  }
}

for (const button of document.querySelectorAll("#export-panel [data-format]")) {
  button.addEventListener("click", () => download(button));
}
// Load the board list once the console is connected (its key is good), so that a wrong key
// causes no failed request; and again whenever the list is opened, to catch new boards.
boardSelect.addEventListener("focus", loadBoards);
const consoleStatus = document.getElementById("status");
const whenOnline = new MutationObserver(() => {
  if (consoleStatus.dataset.status !== "online") return;
  whenOnline.disconnect();
  loadBoards();
});
if (consoleStatus) whenOnline.observe(consoleStatus, { attributes: true, attributeFilter: ["data-status"] });
