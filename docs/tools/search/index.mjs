// The book's search index: Pagefind over the HTML that mdBook built.
//
//   mdbook build docs
//   node docs/tools/search/index.mjs            # indexes docs/book into docs/book/pagefind/
//   node docs/tools/search/index.mjs DIR        # or another built book (the tests use this)
//
// Pagefind (docs/package.json, installed with `npm ci --prefix docs`) splits
// Chinese text into words, so 套接字 finds the sockets chapter; mdBook's own
// search splits on spaces only and finds nothing in Chinese. Each chapter's
// <main> is indexed, so a result is titled with the chapter's heading; the
// print page, the table of contents and the 404 page are left out.
import { readFile, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const book = path.resolve(process.argv[2] ?? path.join(here, "..", "..", "book"));
const skipped = new Set(["print.html", "toc.html", "404.html", "index.html"]);

function fail(message, hint) {
    console.error(`error: ${message} (hint: ${hint})`);
    process.exit(1);
}

let pagefind;
try {
    pagefind = await import("pagefind");
} catch {
    fail("pagefind is not installed", "npm ci --prefix docs");
}
try {
    await stat(path.join(book, "introduction.html"));
} catch {
    fail(`${book} holds no built book`, "mdbook build docs");
}

async function chapters(dir, prefix = "") {
    const found = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
        const relative = prefix + entry.name;
        if (entry.isDirectory() && !["pagefind", "theme", "FontAwesome", "fonts", "css"].includes(entry.name)) {
            found.push(...(await chapters(path.join(dir, entry.name), relative + "/")));
        } else if (entry.isFile() && entry.name.endsWith(".html") && !skipped.has(relative)) {
            found.push(relative);
        }
    }
    return found.sort();
}

const { index, errors } = await pagefind.createIndex({ rootSelector: "main" });
if (!index) {
    fail(`pagefind could not start: ${errors.join("; ")}`, "npm ci --prefix docs");
}
const pages = await chapters(book);
let words = 0;
for (const page of pages) {
    const content = await readFile(path.join(book, page), "utf8");
    const added = await index.addHTMLFile({ sourcePath: page, content });
    if (added.errors.length > 0) {
        fail(`pagefind could not index ${page}: ${added.errors.join("; ")}`, "is the book built by mdbook?");
    }
    words += added.file.uniqueWords;
}
const output = path.join(book, "pagefind");
await rm(output, { recursive: true, force: true });
const written = await index.writeFiles({ outputPath: output });
if (written.errors.length > 0) {
    fail(`pagefind could not write ${output}: ${written.errors.join("; ")}`, "is the folder writable?");
}
await pagefind.close();
console.log(`search index: ${pages.length} pages, ${words} words, in ${output}`);
console.log(`read the book with search: python3 -m http.server --bind 127.0.0.1 --directory ${book} 8000`);
console.log("then open http://127.0.0.1:8000/ (Pagefind loads its index over HTTP, not from file://)");
