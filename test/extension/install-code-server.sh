#!/usr/bin/env bash
# Installs code-server (VS Code in the browser, from the npm registry) for the VS Code e2e test, into a
# cache outside the repository so reruns are instant. Prints the path of the code-server launcher.
#
# Version 4.100.3 is the last one whose engines accept Node 20 (Code 1.100.3). It installs on Node 20 with
# three workarounds, each explained below. Needs the Debian packages libkrb5-dev and ripgrep
# (.ci/system-packages.sh).
#
# Usage: bash test/extension/install-code-server.sh   (env CTXKIT_E2E_CACHE overrides ~/.cache/ctxkit-e2e)
set -euo pipefail
version=4.100.3
ripgrep_pkg=1.15.11   # the @vscode/ripgrep version code-server 4.100.3 depends on
cache=${CTXKIT_E2E_CACHE:-${HOME}/.cache/ctxkit-e2e}
dir=$cache/code-server-$version
bin=$dir/node_modules/.bin/code-server

if [ -x "$bin" ] && [ -f "$dir/.installed" ]; then echo "$bin"; exit 0; fi

command -v rg >/dev/null || { echo "install-code-server: ripgrep (rg) is missing; run .ci/system-packages.sh" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/tmp" "$dir/rg-seed"
started=$(date +%s)

# (1) @vscode/ripgrep's postinstall downloads rg from outside the npm registry, which is unreachable here.
#     It looks in $TMPDIR/vscode-ripgrep-cache-<version>/ first, so seed that with Debian's rg.
export TMPDIR=$dir/tmp
mkdir -p "$TMPDIR/vscode-ripgrep-cache-$ripgrep_pkg"
cp "$(command -v rg)" "$dir/rg-seed/rg"
tar czf "$TMPDIR/vscode-ripgrep-cache-$ripgrep_pkg/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$dir/rg-seed" rg
# (2) code-server's postinstall refuses to run as root unless npm's unsafe-perm is set; npm 11 no longer
#     knows the flag, but the script only reads the environment variable.
export npm_config_unsafe_perm=true
export npm_config_foreground_scripts=true
# node-pty's postinstall runs `npx node-gyp`, which npx refuses to fetch when the user config says yes=false.
export npm_config_yes=true
# Native modules are built against the system Node's headers, never downloaded.
npm_config_nodedir=${npm_config_nodedir:-$(dirname "$(dirname "$(command -v node)")")}
export npm_config_nodedir
# (3) a local install: under -g the postinstall's inner install replaces the package being installed.
cd "$dir"
printf '{ "name": "ctxkit-e2e-code-server", "private": true }\n' > package.json
npm install --no-audit --no-fund --loglevel=error "code-server@$version" >&2
HOME=$TMPDIR XDG_CONFIG_HOME=$TMPDIR XDG_DATA_HOME=$TMPDIR "$bin" --version >&2
touch .installed
rm -rf "$dir/tmp" "$dir/rg-seed"
echo "install-code-server: code-server $version installed in $(( $(date +%s) - started )) s" >&2
echo "$bin"
