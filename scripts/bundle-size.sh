#!/usr/bin/env bash
# Prints the gzipped size of the SPA's initial JS and CSS: the files dist/index.html references
# (entry script, module preloads, stylesheets), not the lazy chunks. Fails above the budget.
# Usage: scripts/bundle-size.sh [--build]   (--build runs `npm run build` first)
set -euo pipefail

budget_kb=${BUNDLE_BUDGET_KB:-150}
root=$(cd "$(dirname "$0")/.." && pwd)
dist="$root/frontend/dist"

if [[ "${1:-}" == "--build" || ! -f "$dist/index.html" ]]; then
  (cd "$root/frontend" && { [[ -d node_modules ]] || npm ci --no-audit --no-fund; } && npm run build >/dev/null)
fi

mapfile -t files < <(grep -oE '(src|href)="[^"]+\.(js|css)"' "$dist/index.html" | sed -E 's/^(src|href)="\/?([^"]+)"$/\2/' | sort -u)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "bundle-size: no JS or CSS referenced by $dist/index.html" >&2
  exit 1
fi

total=0
for f in "${files[@]}"; do
  path="$dist/$f"
  [[ -f "$path" ]] || { echo "bundle-size: missing $path" >&2; exit 1; }
  size=$(gzip -9 -c "$path" | wc -c)
  total=$((total + size))
  printf '  %-50s %8.2f KB gzip\n' "$f" "$(awk -v s="$size" 'BEGIN{print s/1024}')"
done

total_kb=$(awk -v s="$total" 'BEGIN{print s/1024}')
printf 'initial JS+CSS: %.2f KB gzip (budget %s KB)\n' "$total_kb" "$budget_kb"
if (( total > budget_kb * 1024 )); then
  echo "bundle-size: over budget" >&2
  exit 1
fi
