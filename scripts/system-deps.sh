#!/usr/bin/env bash
# Debian packages the test suite needs: PostgreSQL (server), Chromium (end-to-end tests),
# Pango and DejaVu fonts (PDF reports).
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# WeasyPrint (report.pdf) needs Pango; reports use DejaVu, which has every Kazakh letter.
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Please install: ${need[*]} (apt-get install ${need[*]})" >&2; exit 1; fi
else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The Debian package starts its own cluster; the tests start their own server instead.
command -v pg_ctlcluster >/dev/null 2>&1 && { $SUDO service postgresql stop >/dev/null 2>&1 || true; }
exit 0
