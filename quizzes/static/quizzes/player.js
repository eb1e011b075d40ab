// Recordings with comments pinned to a moment (docs/coaching.md): a progress line under the
// player (click to jump), markers and a list of the comments (click one to hear that moment),
// a waveform of the audio drawn in the browser (Web Audio API), and for graders the comment
// form's moment filled in from where the player stands.
//
// The markers stand at their moment over the media's exact length: the page places them over
// the length the server stored (whole seconds), and this script moves them once the browser
// knows better (the media's metadata, or the decoded audio for a recording whose file carries
// no length, as a browser's own WebM recordings do: their duration reads Infinity).
(function () {
  "use strict";

  // Decoding a long call takes memory (about 10 MB of samples a minute): files above this are
  // shown without a waveform.
  var WAVEFORM_MAX_BYTES = 24 * 1024 * 1024;

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
    var canvas = root.querySelector("[data-waveform]");
    var total = parseFloat(root.dataset.duration) || 0;
    var decoded = 0; // the decoded audio's exact length, when the waveform was drawn
    if (!media) return;

    function length() {
      if (decoded > 0) return decoded;
      return isFinite(media.duration) && media.duration > 0 ? media.duration : total;
    }

    function placeMarkers() {
      var all = length();
      if (!all || !line) return;
      root.dataset.length = all.toFixed(3);
      line.querySelectorAll("[data-marker]").forEach(function (marker) {
        var at = parseFloat(marker.dataset.seek) || 0;
        marker.style.left = Math.min(100, Math.max(0, (100 * at) / all)).toFixed(3) + "%";
      });
    }

    function showProgress() {
      var all = length();
      if (bar && all) bar.style.width = Math.min(100, (100 * media.currentTime) / all) + "%";
    }

    function jump(seconds) {
      var target = Math.max(0, seconds);
      var seek = function () {
        media.currentTime = target;
        root.dataset.position = String(Math.floor(target));
        showProgress();
      };
      // Before the metadata a seek may be dropped: seek once the media can take it.
      if (media.readyState >= 1) seek();
      else media.addEventListener("loadedmetadata", seek, { once: true });
      var playing = media.play();
      if (playing && playing.catch) playing.catch(function () {});
    }

    media.addEventListener("loadedmetadata", placeMarkers);
    media.addEventListener("durationchange", placeMarkers);
    media.addEventListener("timeupdate", function () {
      var now = media.currentTime;
      showProgress();
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

    placeMarkers();
    if (canvas && media.tagName === "AUDIO") drawWaveform(media, canvas, root, function (seconds) {
      decoded = seconds;
      placeMarkers();
      showProgress();
    });
  }

  function drawWaveform(media, canvas, root, done) {
    var Context = window.AudioContext || window.webkitAudioContext;
    var size = parseInt(root.dataset.size, 10) || 0;
    if (!Context || !window.fetch || !size || size > WAVEFORM_MAX_BYTES) return;
    fetch(media.currentSrc || media.src, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.arrayBuffer();
      })
      .then(function (data) {
        var context = new Context();
        // The promise form, with the callbacks as a fallback for older Safari.
        return new Promise(function (resolve, reject) {
          var pending = context.decodeAudioData(data, resolve, reject);
          if (pending && pending.then) pending.then(resolve, reject);
        }).then(function (buffer) {
          if (context.close) context.close();
          return buffer;
        });
      })
      .then(function (buffer) {
        paint(canvas, buffer);
        canvas.parentNode.classList.add("has-waveform");
        root.dataset.waveform = "drawn";
        done(buffer.duration);
      })
      .catch(function () {
        root.dataset.waveform = "none"; // the line works without it
      });
  }

  function paint(canvas, buffer) {
    var width = Math.max(1, Math.round(canvas.clientWidth * (window.devicePixelRatio || 1)));
    var height = Math.max(1, Math.round(canvas.clientHeight * (window.devicePixelRatio || 1)));
    canvas.width = width;
    canvas.height = height;
    var samples = buffer.getChannelData(0);
    var step = Math.max(1, Math.floor(samples.length / width));
    var context = canvas.getContext("2d");
    context.clearRect(0, 0, width, height);
    context.fillStyle = "#6b7280";
    var middle = height / 2;
    for (var x = 0; x < width; x++) {
      var low = 0;
      var high = 0;
      var end = Math.min(samples.length, (x + 1) * step);
      for (var i = x * step; i < end; i++) {
        var value = samples[i];
        if (value < low) low = value;
        if (value > high) high = value;
      }
      var top = middle - high * middle;
      context.fillRect(x, top, 1, Math.max(1, (high - low) * middle));
    }
  }

  document.querySelectorAll("[data-player]").forEach(setup);
})();
