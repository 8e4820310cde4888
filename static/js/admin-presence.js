// Tells the server, while a sheet's change form stays open, that this editor is
// still on it, so that others opening the sheet are told. Without JavaScript the
// notice still appears for a while after the form is opened.
(function () {
  const state = document.querySelector("[data-editing-url]");
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!state || !token) {
    return;
  }
  setInterval(() => {
    fetch(state.dataset.editingUrl, {
      method: "POST",
      headers: { "X-CSRFToken": token.value },
      credentials: "same-origin",
    }).catch(() => {});
  }, 120000);
})();
