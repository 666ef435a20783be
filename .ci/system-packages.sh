#!/usr/bin/env bash
# Debian packages the test suites need; installed only when missing so local reruns are fast.
set -euo pipefail
# None yet: the Neovim and code-server suites will add theirs here.
# chromium drives code-server in the VS Code e2e; libkrb5-dev and ripgrep are what code-server's install needs;
# unzip lists the .vsix.
# neovim (0.7.2 on Debian 12) drives the language server headless in test/server/neovim.e2e.test.ts.
want=(chromium libkrb5-dev ripgrep unzip neovim)
need=()
for pkg in "${want[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
