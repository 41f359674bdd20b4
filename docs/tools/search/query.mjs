// Searches the book's Pagefind index from the command line, as the search box
// in the book does, and prints one result a line: URL, then the page title.
//
//   node docs/tools/search/query.mjs 套接字 三次握手     # each word in turn
//   node docs/tools/search/query.mjs --book DIR 乱码     # another built book
//
// Build the index first (node docs/tools/search/index.mjs). docs/tests/search.rs
// runs this to check that Chinese words find their chapters.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let book = path.join(here, "..", "..", "book");
if (args[0] === "--book") {
    book = args[1] ?? "";
    args.splice(0, 2);
}
if (args.length === 0) {
    console.error("usage: node docs/tools/search/query.mjs [--book DIR] WORD...");
    process.exit(2);
}
const bundle = path.resolve(book, "pagefind");

// pagefind.js is the browser's search client: it fetches its index files and
// WebAssembly relative to /pagefind/. Here they come from the folder instead.
globalThis.fetch = async (input) => {
    const url = new URL(String(input), "http://book.invalid/");
    const file = path.join(bundle, decodeURIComponent(url.pathname).replace(/^\/pagefind\//, ""));
    const bytes = await readFile(file);
    const type = file.endsWith(".wasm") || file.includes("wasm.") ? "application/wasm" : "application/octet-stream";
    return new Response(bytes, { headers: { "content-type": type } });
};

let pagefind;
try {
    pagefind = await import(pathToFileURL(path.join(bundle, "pagefind.js")).href);
} catch (err) {
    console.error(`error: no search index in ${bundle}: ${err.message} (hint: node docs/tools/search/index.mjs)`);
    process.exit(1);
}
await pagefind.options({ basePath: "/pagefind/" });
for (const word of args) {
    const found = await pagefind.search(word);
    console.log(`${word}: ${found.results.length} result(s)`);
    for (const result of found.results) {
        const data = await result.data();
        console.log(`  ${data.url}  ${data.meta.title}`);
    }
}
