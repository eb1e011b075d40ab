// Saves the answer sheet as the trainee types (the whole form, debounced); without
// JavaScript the "Save" button does the same.
(function () {
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var script = document.currentScript || document.querySelector("script[data-saved-label]");
  var savedLabel = script ? script.dataset.savedLabel : "Saved at";
  var errorLabel = script ? script.dataset.errorLabel : "Not saved";
  var status = form.querySelector("[data-save-status]");
  var timer = null;
  var dirty = false;

  function save() {
    timer = null;
    dirty = false;
    var body = new FormData(form);
    body.delete("next");
    return fetch(form.action, {
      method: "POST",
      body: body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (r) { return r.json().then(function (data) { return [r, data]; }); })
      .then(function (pair) {
        var data = pair[1];
        form.querySelectorAll("[data-error-for]").forEach(function (el) {
          el.textContent = (data.errors && data.errors[el.dataset.errorFor]) || "";
        });
        if (!pair[0].ok) {
          status.textContent = data.message || errorLabel;
          if (pair[0].status === 409) window.location.reload();
          return;
        }
        status.textContent = savedLabel + " " + data.saved_at;
        status.dataset.saved = "1";
      })
      .catch(function () { status.textContent = errorLabel; });
  }

  function schedule(delay) {
    dirty = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener("input", function () { schedule(800); });
  form.addEventListener("change", function () { schedule(200); });
  form.addEventListener("submit", function () { if (timer) clearTimeout(timer); });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { save(); }
  });
})();
