/* Progress bars that follow long work without a page reload.
 *
 * An element with data-progress-url polls that JSON address (the integration's runs and jobs) once a second while
 * something it shows is under way:
 *   - data-run="<id>": one sync run; its <progress> and ".progress-text" show records done out of queued;
 *   - class "job-progress": every pull, import or backfill of the integration, one bar each, drawn here.
 * A form with data-progress-start="<id of a job-progress element>" starts that element's polling when submitted,
 * so an import shows its bar while the browser waits for the answer. No library, nothing from another site.
 */
(function () {
  "use strict";
  var PERIOD = 1000;

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  function setBar(bar, done, total) {
    bar.max = Math.max(total, 1);
    bar.value = Math.min(done, bar.max);
    if (!total) { bar.removeAttribute("value"); }  // unknown total: an indeterminate bar
  }

  function drawRun(el, data) {
    var id = Number(el.getAttribute("data-run"));
    var run = (data.runs || []).filter(function (r) { return r.id === id; })[0];
    if (!run) { return false; }
    setBar(el.querySelector("progress"), run.done, run.total);
    el.querySelector(".progress-text").textContent = run.done + " / " + run.total + (run.running ? "" : " (" + run.status_label + ")");
    return run.running;
  }

  function drawJobs(el, data) {
    var jobs = data.jobs || [];
    var list = el.querySelector("ul") || el.appendChild(document.createElement("ul"));
    list.textContent = "";
    jobs.forEach(function (job) {
      var item = document.createElement("li");
      item.className = "job job-" + job.status;
      item.setAttribute("data-job", job.id);
      var label = document.createElement("span");
      label.className = "job-label";
      label.textContent = job.label + " ";
      var bar = document.createElement("progress");
      setBar(bar, job.done, job.total);
      var text = document.createElement("span");
      text.className = "progress-text";
      text.textContent = " " + job.done + " / " + (job.total || "?") + (job.message ? " \u2014 " + job.message : "");
      item.appendChild(label);
      item.appendChild(bar);
      item.appendChild(text);
      list.appendChild(item);
    });
    el.hidden = jobs.length === 0;
    return jobs.some(function (job) { return job.running; });
  }

  function follow(el) {
    if (el._following) { return; }
    el._following = true;
    var url = el.getAttribute("data-progress-url");
    var draw = el.hasAttribute("data-run") ? drawRun : drawJobs;
    var quiet = 0;
    function tick() {
      fetchJson(url).then(function (data) {
        var busy = draw(el, data);
        quiet = busy ? 0 : quiet + 1;
        // Keep looking a few seconds after the work ends (or before a just-queued job shows up), then stop.
        if (quiet < 3 || el._armed) { el._armed = false; window.setTimeout(tick, PERIOD); } else { el._following = false; }
      }).catch(function () { el._following = false; });
    }
    tick();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-progress-url]"), function (el) {
      if (el.getAttribute("data-progress-url")) { follow(el); }
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-progress-start]"), function (form) {
      form.addEventListener("submit", function () {
        var target = document.getElementById(form.getAttribute("data-progress-start"));
        if (target) { target.hidden = false; target._armed = true; follow(target); }
      });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
