// Recordings with comments pinned to a moment (docs/coaching.md): a progress line under the
// player (click to jump), markers and a list of the comments (click one to hear that moment),
// and for graders the comment form's moment filled in from where the player stands.
(function () {
  "use strict";

  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var rest = s % 60;
    return Math.floor(s / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function setup(root) {
    var media = root.querySelector("[data-media]");
    var line = root.querySelector("[data-progress]");
    var bar = root.querySelector("[data-progress-bar]");
    var moment = root.querySelector("[data-moment]");
    var total = parseFloat(root.dataset.duration) || 0;
    if (!media) return;

    function length() {
      return isFinite(media.duration) && media.duration > 0 ? media.duration : total;
    }

    function jump(seconds) {
      media.currentTime = Math.max(0, seconds);
      root.dataset.position = String(Math.floor(seconds));
      var playing = media.play();
      if (playing && playing.catch) playing.catch(function () {});
    }

    media.addEventListener("timeupdate", function () {
      var now = media.currentTime;
      var all = length();
      if (bar && all) bar.style.width = Math.min(100, (100 * now) / all) + "%";
      root.dataset.position = String(Math.floor(now));
      root.querySelectorAll("[data-comment] [data-seek]").forEach(function (button) {
        var at = parseFloat(button.dataset.seek);
        button.closest("[data-comment]").classList.toggle("current", now >= at && now < at + 3);
      });
    });

    media.addEventListener("pause", function () {
      if (moment && !moment.dataset.touched) moment.value = clock(media.currentTime);
    });

    root.addEventListener("click", function (event) {
      var seek = event.target.closest("[data-seek]");
      if (seek) {
        event.preventDefault();
        event.stopPropagation();
        jump(parseFloat(seek.dataset.seek));
        return;
      }
      if (event.target.closest("[data-now]") && moment) {
        event.preventDefault();
        moment.value = clock(media.currentTime);
      }
    });

    if (line) {
      line.addEventListener("click", function (event) {
        if (event.target.closest("[data-seek]")) return;
        var box = line.getBoundingClientRect();
        if (box.width && length()) jump((length() * (event.clientX - box.left)) / box.width);
      });
    }

    if (moment) {
      moment.addEventListener("input", function () { moment.dataset.touched = "1"; });
    }
  }

  document.querySelectorAll("[data-player]").forEach(setup);
})();
