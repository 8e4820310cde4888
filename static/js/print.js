// Shows the Print buttons (hidden until this script runs, so they never appear without
// JavaScript) and connects them to the browser's print dialog.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
