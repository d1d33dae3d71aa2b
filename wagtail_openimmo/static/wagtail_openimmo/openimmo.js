/* wagtail-openimmo: progressive enhancement for listing pages. No dependencies.
 *
 * Lightbox: the gallery links open the large picture in a modal <dialog>. Enter or Space on a
 * picture opens it, the arrow keys flip, Escape closes, focus stays in the dialog and returns
 * to the picture it came from. Without JavaScript the links open the large picture itself.
 *
 * The gallery shows a hero picture and a strip; "+N pictures" opens the lightbox at the first
 * picture not shown (without JavaScript it shows them all, ?bilder=alle). On touch screens a
 * horizontal swipe flips.
 *
 * Filters: the form is collapsed behind "Filter" (a <details>); on wide screens it opens.
 *
 * Watchlist ("Merkzettel"): "Save" keeps the listing's ID in a cookie of this browser
 * (openimmo_merkzettel), which the watchlist page reads on the server.
 *
 * Map: the "Load map" form reloads the page with ?map=1 without JavaScript; with it, the
 * tiles are taken from an inert <template> in place. Nothing is requested from the tile
 * server before the visitor asks for the map.
 */
(function () {
  "use strict";

  function initLightbox(gallery) {
    var links = Array.prototype.slice.call(gallery.querySelectorAll("[data-openimmo-lightbox]"));
    var template = document.getElementById("openimmo-lightbox-template");
    if (!links.length || !template || typeof HTMLDialogElement !== "function") {
      return;
    }
    var dialog = template.content.querySelector("dialog").cloneNode(true);
    document.body.appendChild(dialog);
    var image = dialog.querySelector("[data-lightbox-image]");
    var caption = dialog.querySelector("[data-lightbox-caption]");
    var counter = dialog.querySelector("[data-lightbox-counter]");
    var current = 0;
    var opener = null;

    function show(index) {
      current = (index + links.length) % links.length;
      var link = links[current];
      var thumb = link.querySelector("img");
      image.src = link.href;
      image.alt = link.getAttribute("data-alt") || (thumb ? thumb.alt : "");
      caption.textContent = link.getAttribute("data-caption") || "";
      counter.textContent = (current + 1) + " / " + links.length;
      dialog.setAttribute("data-current", String(current));
    }

    function open(index) {
      opener = document.activeElement;
      show(index);
      dialog.showModal();
      dialog.querySelector("[data-lightbox-next]").focus();
    }

    links.forEach(function (link, index) {
      link.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button) {
          return; // let "open in new tab" work
        }
        event.preventDefault();
        open(index);
      });
      link.addEventListener("keydown", function (event) {
        if (event.key === " " || event.key === "Spacebar") {
          event.preventDefault();
          open(index);
        }
      });
    });

    Array.prototype.forEach.call(gallery.querySelectorAll("[data-openimmo-lightbox-start]"), function (more) {
      more.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button) {
          return;
        }
        event.preventDefault();
        open(parseInt(more.getAttribute("data-openimmo-lightbox-start"), 10) || 0);
      });
    });

    var touchX = null;
    var touchY = null;
    dialog.addEventListener("touchstart", function (event) {
      if (event.touches.length === 1) {
        touchX = event.touches[0].clientX;
        touchY = event.touches[0].clientY;
      }
    }, { passive: true });
    dialog.addEventListener("touchend", function (event) {
      if (touchX === null || !event.changedTouches.length) {
        return;
      }
      var dx = event.changedTouches[0].clientX - touchX;
      var dy = event.changedTouches[0].clientY - touchY;
      touchX = null;
      if (Math.abs(dx) > 40 && Math.abs(dx) > Math.abs(dy)) {
        show(dx < 0 ? current + 1 : current - 1);
      }
    });

    dialog.querySelector("[data-lightbox-prev]").addEventListener("click", function () {
      show(current - 1);
    });
    dialog.querySelector("[data-lightbox-next]").addEventListener("click", function () {
      show(current + 1);
    });
    dialog.querySelector("[data-lightbox-close]").addEventListener("click", function () {
      dialog.close();
    });
    var buttons = Array.prototype.slice.call(dialog.querySelectorAll("button"));
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Tab") {
        // Keep focus on the dialog's buttons (a modal dialog would let it reach the
        // browser's own controls).
        var at = buttons.indexOf(document.activeElement);
        var next = event.shiftKey ? at - 1 : at + 1;
        event.preventDefault();
        buttons[(next + buttons.length) % buttons.length].focus();
      } else if (event.key === "ArrowRight" || event.key === "Right") {
        event.preventDefault();
        show(current + 1);
      } else if (event.key === "ArrowLeft" || event.key === "Left") {
        event.preventDefault();
        show(current - 1);
      }
      // Escape closes a modal dialog natively.
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) {
        dialog.close(); // a click on the backdrop
      }
    });
    dialog.addEventListener("close", function () {
      image.removeAttribute("src");
      if (opener && typeof opener.focus === "function") {
        opener.focus();
      }
    });
  }

  function initMap(box) {
    var form = box.querySelector("form");
    var tiles = box.querySelector("template[data-openimmo-map-tiles]");
    if (!form || !tiles) {
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var content = tiles.content.cloneNode(true);
      var parent = box.parentNode;
      parent.replaceChild(content, box);
      var map = parent.querySelector(".openimmo-map__tiles");
      if (map) {
        map.focus();
      }
    });
  }

  function initFilters(details) {
    // Open on wide screens unless the visitor closed it; small screens keep it collapsed.
    if (window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) {
      details.open = true;
    }
  }

  var COOKIE = "openimmo_merkzettel";

  function savedIds() {
    var match = document.cookie.match(new RegExp("(?:^|; )" + COOKIE + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]).split(".").filter(function (id) {
      return /^\d+$/.test(id);
    }) : [];
  }

  function storeIds(ids) {
    document.cookie = COOKIE + "=" + ids.slice(0, 100).join(".") +
      "; path=/; max-age=" + (365 * 24 * 3600) + "; SameSite=Lax";
  }

  function initWatch(button) {
    var id = button.getAttribute("data-openimmo-watch");
    var saved = button.textContent;
    function render() {
      var on = savedIds().indexOf(id) !== -1;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
    button.hidden = false;
    render();
    button.addEventListener("click", function () {
      var ids = savedIds();
      var at = ids.indexOf(id);
      if (at === -1) {
        ids.unshift(id);
      } else {
        ids.splice(at, 1);
      }
      storeIds(ids);
      render();
      button.textContent = saved;
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-openimmo-gallery]"), initLightbox);
    Array.prototype.forEach.call(document.querySelectorAll("[data-openimmo-filters]"), initFilters);
    Array.prototype.forEach.call(document.querySelectorAll("[data-openimmo-watch]"), initWatch);
    Array.prototype.forEach.call(document.querySelectorAll("[data-openimmo-map]"), initMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
