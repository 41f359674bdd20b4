#!/usr/bin/env bash
# Screenshot one page of the built book with headless Chromium, to look at
# the layout at a given window width (the issue that mattered: 1280 px).
#
#   mdbook build docs
#   bash docs/tools/layout/screenshot.sh lessons/file-downloader.html 1280
#   bash docs/tools/layout/screenshot.sh lessons/udp-sender.html 1920 /tmp/wide.png
#
# Needs chromium (Debian: apt-get install chromium; Chinese text needs a CJK
# font such as fonts-wqy-microhei). HEIGHT sets the window height (default
# 4000, so most of a chapter is in one picture). cargo test -p docs --test
# layout measures every chapter the same way, without pictures.
set -euo pipefail

page=${1:?usage: screenshot.sh PAGE.html [WIDTH] [OUT.png]}
width=${2:-1280}
out=${3:-/tmp/book-$(basename "$page" .html)-$width.png}
book="$(cd "$(dirname "$0")/../.." && pwd)/book"
[ -f "$book/$page" ] || { echo "error: $book/$page not found (hint: run mdbook build docs first)" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "error: chromium not found (hint: apt-get install chromium)" >&2; exit 1; }

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$profile" --window-size="$width,${HEIGHT:-4000}" \
    --screenshot="$out" "file://$book/$page" 2>/dev/null
echo "wrote $out (${width} px wide)"
