#!/usr/bin/env bash
# The frozen ABI 1.0 headers are the released ones: by hash always, and by
# content against the release commit when the git history is available.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/v1_0"
sha256sum --quiet -c SHA256SUMS
release=077b3f6
if git -C "$here" cat-file -e "$release^{commit}" 2>/dev/null; then
  for f in plugin.h events.h; do
    git -C "$here" show "$release:sdk/include/vigil/$f" | cmp - "vigil/$f"
  done
  echo "frozen 1.0 headers match SHA256SUMS and commit $release"
else
  echo "frozen 1.0 headers match SHA256SUMS (no git history to compare with $release)"
fi
