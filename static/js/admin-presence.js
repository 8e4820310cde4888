// Tells the server, while a sheet's change form stays open, that this editor is
// still on it, so that others opening the sheet are told; and, when the page is
// left (saved, closed or navigated away from), that the editor has gone. Without
// JavaScript the notice still appears for a while after the form is opened.
// The admin loads this script in the page's head, before the form is parsed.
document.addEventListener("DOMContentLoaded", () => {
  const state = document.querySelector("[data-editing-url]");
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!state || !token) {
    return;
  }
  const url = state.dataset.editingUrl;
  setInterval(() => {
    fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": token.value },
      credentials: "same-origin",
    }).catch(() => {});
  }, 120000);
  // A save closes the editor's notice itself (or, refused, keeps them on the form).
  let saving = false;
  state.closest("form")?.addEventListener("submit", () => {
    saving = true;
  });
  // A page that is left may never run a fetch to its end; a beacon is sent anyway.
  window.addEventListener("pagehide", () => {
    if (saving) {
      return;
    }
    const data = new FormData();
    data.append("csrfmiddlewaretoken", token.value);
    data.append("left", "1");
    navigator.sendBeacon(url, data);
  });
});
