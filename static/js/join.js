// The join-code form: shows the code in upper case as it is typed (the server matches codes
// case-insensitively and ignores spaces, so this is only for legibility) and does not submit
// an empty code.

const input = document.getElementById("join-code");
const form = input?.form;

if (input && form) {
  input.addEventListener("input", () => {
    const upper = input.value.toUpperCase();
    if (upper === input.value) return;
    const { selectionStart, selectionEnd } = input;
    input.value = upper;
    input.setSelectionRange(selectionStart, selectionEnd);
  });

  form.addEventListener("submit", (event) => {
    if (!input.value.trim()) {
      event.preventDefault();
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  });

  if (!input.value) input.focus();
  else input.select();
}
