/* 協働推進コーナー: the pages work without this file; with it, the question page answers in
   place (no reload) and moves the focus to the answer. No third-party code, no inline script. */
(function () {
  "use strict";
  function swap(form, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("result");
    var result = document.getElementById("result");
    if (!fresh) { return false; }
    if (!result) { return false; }
    if (form.classList.contains("press")) {
      // The answer stays; the buttons' block shows what pressing them said.
      var holder = form.closest(".buttons") || form;
      var note = document.createElement("div");
      note.className = "reply";
      note.innerHTML = fresh.querySelector(".replies, .notice") ? fresh.innerHTML : "";
      holder.replaceWith(note);
      var h = note.querySelector("h2");
      if (h) { h.setAttribute("tabindex", "-1"); h.focus(); }
    } else {
      result.innerHTML = fresh.innerHTML;
      var heading = result.querySelector("h2, .notice");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
    return true;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") { return; }
    if (!document.getElementById("result") || !window.fetch || !window.DOMParser) { return; }
    event.preventDefault();
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) { if (!swap(form, html)) { form.submit(); } })
      .catch(function () { form.submit(); })
      .finally(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  });
}());
