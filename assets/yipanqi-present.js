/*
 * Yipanqi presentation mode: keyboard and clicker navigation of a deck (/present/<name>).
 *
 * Next: ArrowRight, ArrowDown, Space, PageDown (clickers send PageDown / PageUp or arrows).
 * Previous: ArrowLeft, ArrowUp, PageUp, Backspace. Home / End: first / last. F: full screen.
 * Esc: leave to the overview (after leaving full screen, which the browser does on the first Esc).
 * The slide index is handed to Dash through set_props on the `present-index` store, and kept in
 * the address bar (?slide=N) so a reload or a shared link opens the same slide.
 */
(function () {
  var state = { deck: null, index: 0 };

  function deck() {
    var el = document.getElementById("present-deck");
    if (el !== state.deck) {
      state.deck = el;
      state.index = el ? parseInt(el.getAttribute("data-start") || "0", 10) : 0;
    }
    return el;
  }

  function go(el, index) {
    var count = parseInt(el.getAttribute("data-count") || "1", 10);
    index = Math.max(0, Math.min(count - 1, index));
    if (index === state.index) return;
    state.index = index;
    window.dash_clientside.set_props("present-index", { data: index });
    var params = new URLSearchParams(window.location.search);
    params.set("slide", String(index + 1));
    window.history.replaceState(window.history.state, "", window.location.pathname + "?" + params.toString());
  }

  document.addEventListener("keydown", function (event) {
    var el = deck();
    if (!el || event.altKey || event.ctrlKey || event.metaKey) return;
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA") return;
    var count = parseInt(el.getAttribute("data-count") || "1", 10);
    switch (event.key) {
      case "ArrowRight": case "ArrowDown": case "PageDown": case " ": case "Spacebar":
        go(el, state.index + 1); break;
      case "ArrowLeft": case "ArrowUp": case "PageUp": case "Backspace":
        go(el, state.index - 1); break;
      case "Home": go(el, 0); break;
      case "End": go(el, count - 1); break;
      case "f": case "F":
        if (!document.fullscreenElement && document.documentElement.requestFullscreen) {
          document.documentElement.requestFullscreen().catch(function () {});
        } else if (document.exitFullscreen) {
          document.exitFullscreen().catch(function () {});
        }
        break;
      case "Escape": case "Esc":
        if (document.fullscreenElement) return;  // the browser leaves full screen first
        window.location.href = "/" + (el.getAttribute("data-lang") === "en" ? "?lang=en" : "");
        break;
      default:
        return;
    }
    event.preventDefault();
  });
})();
