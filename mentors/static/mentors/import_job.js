// Follows a background import: polls the job's status every second, moves the progress bar
// and the counts, and reloads the page once the job has ended (the page then shows the
// result and the rows' problems). Without JavaScript the page shows the state when loaded.
(function () {
  var bar = document.querySelector("progress[data-status-url]");
  if (!bar || bar.dataset.finished === "true") return;
  var lang = document.documentElement.lang || undefined;
  var status = document.querySelector("[data-job-status]");

  function show(data) {
    bar.max = data.max;
    bar.value = data.value;
    bar.setAttribute("value", String(data.value));
    document.querySelectorAll("[data-field]").forEach(function (el) {
      var value = data[el.dataset.field];
      if (typeof value === "number") el.textContent = value.toLocaleString(lang);
    });
    if (status) {
      status.textContent = data.status_label;
      status.className = "status status-" + data.status;
    }
  }

  function poll() {
    fetch(bar.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        show(data);
        if (data.finished) window.location.reload();
        else window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }

  window.setTimeout(poll, 1000);
})();
