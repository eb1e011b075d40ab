// The in-browser recorder (docs/coaching.md): microphone (and camera where video is allowed)
// through MediaRecorder, a countdown, a time limit that stops the recording, a preview to
// listen to, re-recording where allowed, and an upload of the recording or of a chosen file
// with the length the browser measured. The server checks format, size and length again.
(function () {
  "use strict";

  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var rest = s % 60;
    return Math.floor(s / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function setup(root) {
    var data = root.dataset;
    var maxSeconds = parseInt(data.maxSeconds, 10) || 300;
    var wantsVideo = data.video === "1";
    var start = root.querySelector("[data-start]");
    var stop = root.querySelector("[data-stop]");
    var save = root.querySelector("[data-save]");
    var preview = root.querySelector("[data-preview]");
    var timer = root.querySelector("[data-timer]");
    var countdown = root.querySelector("[data-countdown]");
    var status = root.querySelector("[data-status]");
    var fileInput = root.querySelector("[data-file]");
    var recorder = null;
    var stream = null;
    var chunks = [];
    var blob = null;
    var seconds = 0;
    var startedAt = 0;
    var ticking = null;

    function setState(state, message) {
      root.dataset.state = state;
      if (message !== undefined) status.textContent = message;
    }

    if (data.uploadOnly !== undefined) {
      if (fileInput) fileInput.addEventListener("change", chosen);
      return;
    }

    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      start.disabled = true;
      setState("unsupported", data.unsupportedLabel);
    }

    function begin() {
      chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = function (event) {
        if (event.data && event.data.size) chunks.push(event.data);
      };
      recorder.onstop = finished;
      // The length is measured from when the recorder really started, not from the click.
      recorder.onstart = function () { startedAt = Date.now(); };
      recorder.start(500);
      startedAt = Date.now();
      stop.hidden = false;
      setState("recording", data.recordingLabel);
      ticking = setInterval(function () {
        var elapsed = (Date.now() - startedAt) / 1000;
        timer.textContent = clock(elapsed) + " / " + clock(maxSeconds);
        if (elapsed >= maxSeconds) halt();
      }, 200);
    }

    function halt() {
      if (recorder && recorder.state !== "inactive") recorder.stop();
    }

    function finished() {
      clearInterval(ticking);
      seconds = Math.min(maxSeconds, (Date.now() - startedAt) / 1000);
      stream.getTracks().forEach(function (track) { track.stop(); });
      blob = new Blob(chunks, { type: recorder.mimeType || (wantsVideo ? "video/webm" : "audio/webm") });
      preview.src = URL.createObjectURL(blob);
      preview.hidden = false;
      save.hidden = false;
      stop.hidden = true;
      start.disabled = false;
      start.textContent = data.rerecordLabel;
      setState("recorded", "");
    }

    start.addEventListener("click", function () {
      if (data.hasRecording === "1" && data.rerecord !== "1") return;
      start.disabled = true;
      navigator.mediaDevices
        .getUserMedia({ audio: true, video: wantsVideo })
        .then(function (media) {
          stream = media;
          var left = parseInt(data.countdownSeconds, 10) || 0;
          if (left <= 0) { begin(); return; }
          setState("countdown", "");
          countdown.textContent = String(left);
          var counting = setInterval(function () {
            left -= 1;
            if (left <= 0) {
              clearInterval(counting);
              countdown.textContent = "";
              begin();
            } else {
              countdown.textContent = String(left);
            }
          }, 1000);
        })
        .catch(function () {
          start.disabled = false;
          setState("denied", data.deniedLabel);
        });
    });

    stop.addEventListener("click", halt);

    function upload(file, length, name) {
      var body = new FormData();
      body.append("file", file, name);
      body.append("duration", String(length));
      body.append("csrfmiddlewaretoken", csrfToken());
      if (data.uploadAction) body.append("action", data.uploadAction);
      setState("saving", data.savingLabel);
      fetch(data.uploadUrl, {
        method: "POST",
        body: body,
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      })
        .then(function (r) { return r.json().then(function (json) { return [r, json]; }); })
        .then(function (pair) {
          if (!pair[0].ok) {
            setState("error", pair[1].message || data.errorLabel);
            return;
          }
          data.hasRecording = "1";
          if (save) save.hidden = true;
          if (start && data.rerecord !== "1") start.disabled = true;
          setState("saved", pair[1].message || data.savedLabel);
          if (pair[1].reload) window.location.reload();
        })
        .catch(function () { setState("error", data.errorLabel); });
    }

    save.addEventListener("click", function () {
      if (blob) upload(blob, seconds, "recording.webm");
    });

    if (fileInput) fileInput.addEventListener("change", chosen);

    // A chosen file: its length as the browser's player reads it, then the upload.
    function chosen() {
      var file = fileInput.files[0];
      if (!file) return;
      var probe = document.createElement(file.type.indexOf("video/") === 0 ? "video" : "audio");
      probe.preload = "metadata";
      probe.onloadedmetadata = function () {
        upload(file, isFinite(probe.duration) ? probe.duration : "", file.name);
      };
      probe.onerror = function () { upload(file, "", file.name); };
      probe.src = URL.createObjectURL(file);
    }
  }

  document.querySelectorAll("[data-recorder]").forEach(setup);
})();
