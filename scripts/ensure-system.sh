#!/usr/bin/env bash
# Installs the real servers and browser that integration and end-to-end tests use, from Debian's
# packages, when they are missing. Needs root (as on CI) or password-less sudo; otherwise it says
# what to install and fails, since the tests run against these real parts and never skip them.
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "tests need: ${missing[*]} (Debian: apt-get install -y ${missing[*]}, as root)" >&2
    exit 1
  fi
fi
echo "installing ${missing[*]} from Debian's packages" >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
