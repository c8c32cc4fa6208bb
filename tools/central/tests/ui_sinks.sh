#!/usr/bin/env bash
# The console renders data with text nodes only: no HTML sinks, no eval, no inline handlers or
# styles anywhere in tools/central/ui (the CSP would block most of them; this says where).
ui=$(cd "$(dirname "$0")/../ui" && pwd)
found=$(grep -rnE 'innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|setAttribute\(.on|javascript:' "$ui/js" ;
        grep -rnE '<script>|<style|style=| on[a-z]+=' "$ui" --include='*.html')
if [[ -n $found ]]; then
  echo "HTML sinks or inline code in the console:" >&2
  echo "$found" >&2
  exit 1
fi
echo "no HTML sinks in $(find "$ui" -type f | wc -l) console files"
