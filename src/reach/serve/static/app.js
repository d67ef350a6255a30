// reach serve: the only script. Copy buttons copy the text of the element named in data-copy.
document.addEventListener("click", function (ev) {
  var btn = ev.target.closest("button[data-copy]");
  if (!btn) return;
  var box = document.getElementById(btn.getAttribute("data-copy"));
  if (!box) return;
  var text = box.value !== undefined ? box.value : box.textContent;
  function done(ok) {
    var old = btn.getAttribute("data-label") || btn.textContent;
    btn.setAttribute("data-label", old);
    btn.textContent = ok ? "Copied" : "Select the text and copy it";
    btn.classList.toggle("copied", ok);
    setTimeout(function () { btn.textContent = old; btn.classList.remove("copied"); }, 2000);
  }
  function fallback() {
    box.focus(); box.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    done(ok);
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
  } else {
    fallback();
  }
});
