#!/usr/bin/env bash
# Debian packages the test suites need; installed only when missing so local reruns are fast.
set -euo pipefail
# None yet: the Neovim and code-server suites will add theirs here.
# chromium drives code-server in the VS Code e2e; libkrb5-dev and ripgrep are what code-server's install needs;
# unzip lists the .vsix.
want=(chromium libkrb5-dev ripgrep unzip)
need=()
for pkg in "${want[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
