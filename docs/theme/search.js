// The book's search box: Pagefind, which finds Chinese words (套接字, 三次握手)
// as well as English ones. It replaces mdBook's own search (disabled in
// book.toml), which splits text on spaces and finds nothing in Chinese.
//
// The index is built after the book: `node docs/tools/search/index.mjs`
// writes docs/book/pagefind/. Pagefind loads it over HTTP, so the box explains
// what to run when the book is opened from a file or the index is missing.
// The magnifier in the menu bar, `/` or `s` open it; Escape closes it; a
// link ending in ?search=WORDS opens it with that search.
(function () {
    "use strict";

    const root = typeof path_to_root === "string" ? path_to_root : "";
    const bundle = new URL(root + "pagefind/", document.baseURI).pathname;
    const buttons = document.querySelector("#menu-bar .left-buttons");
    const menuBar = document.getElementById("menu-bar");
    if (!buttons || !menuBar) {
        return;
    }

    const toggle = document.createElement("button");
    toggle.id = "pagefind-toggle";
    toggle.className = "icon-button";
    toggle.type = "button";
    toggle.title = "Search the book, in English or Chinese (/ or s)";
    toggle.setAttribute("aria-label", "Search the book");
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", "pagefind-panel");
    toggle.setAttribute("aria-keyshortcuts", "/ s");
    toggle.innerHTML = '<i class="fa fa-search"></i>';
    buttons.appendChild(toggle);

    const panel = document.createElement("div");
    panel.id = "pagefind-panel";
    panel.setAttribute("role", "search");
    panel.hidden = true;
    panel.innerHTML = '<div id="pagefind-search"></div>';
    menuBar.after(panel);

    let loaded = false;
    // A link may carry its search, as mdBook's own search allowed: ?search=套接字
    const wanted = new URLSearchParams(location.search).get("search");

    function explain(html) {
        panel.querySelector("#pagefind-search").innerHTML =
            '<p class="pagefind-missing">' + html + "</p>";
    }

    const howTo =
        "<code>mdbook build docs</code>, <code>node docs/tools/search/index.mjs</code>, then " +
        "<code>python3 -m http.server --bind 127.0.0.1 --directory docs/book 8000</code> " +
        "and open <code>http://127.0.0.1:8000/</code>.";

    function load() {
        if (loaded) {
            return;
        }
        loaded = true;
        if (location.protocol === "file:") {
            explain("Search needs the book served over HTTP, with its index: " + howTo);
            return;
        }
        const style = document.createElement("link");
        style.rel = "stylesheet";
        style.href = bundle + "pagefind-ui.css";
        document.head.appendChild(style);
        const script = document.createElement("script");
        script.src = bundle + "pagefind-ui.js";
        script.onload = () => {
            /* global PagefindUI */
            const ui = new PagefindUI({
                element: "#pagefind-search",
                bundlePath: bundle,
                showSubResults: true,
                showImages: false,
                autofocus: true,
                translations: { placeholder: "Search the book: socket, 套接字, 三次握手 …" },
            });
            if (wanted) {
                ui.triggerSearch(wanted);
            }
        };
        script.onerror = () => {
            explain("The search index is not built. From the repository root: " + howTo);
        };
        document.head.appendChild(script);
    }

    function focusInput() {
        const input = panel.querySelector("input");
        if (input) {
            input.focus();
            input.select();
        }
    }

    function open() {
        panel.hidden = false;
        toggle.setAttribute("aria-expanded", "true");
        load();
        focusInput();
        // The Pagefind box appears once its script has loaded.
        setTimeout(focusInput, 300);
    }

    function close() {
        panel.hidden = true;
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
    }

    toggle.addEventListener("click", () => (panel.hidden ? open() : close()));
    if (wanted) {
        open();
    }

    document.addEventListener("keydown", (event) => {
        if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) {
            return;
        }
        const target = event.target;
        const typing =
            target instanceof HTMLElement &&
            (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
        if (event.key === "Escape" && !panel.hidden) {
            event.preventDefault();
            close();
        } else if (!typing && (event.key === "/" || event.key === "s" || event.key === "S")) {
            event.preventDefault();
            open();
        }
    });
})();
