// Gives each rich-text editing area the name of its field ("Body"), for screen
// readers: the editor builds the area itself, next to the labelled textarea.
function nameEditingAreas() {
  document.querySelectorAll(".prose-editor").forEach((editor) => {
    const textarea = editor.querySelector("textarea");
    const area = editor.querySelector(".ProseMirror");
    const label = textarea && document.querySelector(`label[for="${textarea.id}"]`);
    if (!area || !label || area.getAttribute("aria-labelledby") === label.id) {
      return;
    }
    label.id = label.id || `${textarea.id}-label`;
    area.setAttribute("aria-labelledby", label.id);
  });
}

new MutationObserver(nameEditingAreas).observe(document.documentElement, {
  childList: true,
  subtree: true,
});
