// Side-by-side listings: two columns only where both listings fit whole.
//
// A pair (<div class="side-by-side">, see side-by-side.css) is stacked,
// Python above Rust, unless the room the page gives it (its max-width, set by
// wide.css from the content area) holds both listings at their natural width:
// then it gets the class `columns`. Measured again whenever the content area
// changes width (window resized, sidebar shown or hidden). Without JavaScript
// the pairs simply stay stacked.
(function () {
    "use strict";

    // The width of a listing's longest line, padding included.
    function naturalWidth(code) {
        const range = document.createRange();
        range.selectNodeContents(code);
        const text = range.getBoundingClientRect().width;
        const style = getComputedStyle(code);
        return Math.ceil(text + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight));
    }

    function layout() {
        for (const pair of document.querySelectorAll("main .side-by-side")) {
            const listings = pair.querySelectorAll(":scope > div pre > code");
            if (listings.length !== 2) {
                continue;
            }
            pair.classList.remove("columns");
            const style = getComputedStyle(pair);
            const room = parseFloat(style.maxWidth) || pair.parentElement.clientWidth;
            const gap = parseFloat(style.columnGap) || 0;
            let need = gap;
            for (const code of listings) {
                need += naturalWidth(code);
            }
            pair.classList.toggle("columns", need <= room);
        }
    }

    function start() {
        layout();
        // Web fonts change the widths once loaded; `fonts.ready` alone may
        // resolve before the code font is even requested.
        if (document.fonts) {
            document.fonts.ready.then(layout);
            document.fonts.addEventListener("loadingdone", layout);
        }
        window.addEventListener("load", layout);
        // Showing or hiding the sidebar changes the room at once (the
        // observer below follows its slide).
        const sidebarToggle = document.getElementById("sidebar-toggle-anchor");
        if (sidebarToggle) {
            sidebarToggle.addEventListener("change", layout);
        }
        const content = document.querySelector(".content");
        if (content && typeof ResizeObserver !== "undefined") {
            let lastWidth = content.clientWidth;
            new ResizeObserver(() => {
                if (content.clientWidth !== lastWidth) {
                    lastWidth = content.clientWidth;
                    layout();
                }
            }).observe(content);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
