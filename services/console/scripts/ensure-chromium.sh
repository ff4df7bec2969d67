#!/usr/bin/env bash
# ensure-chromium.sh: the browser tests drive the machine's Chromium, since no
# browser can be downloaded by a test tool here. Installs Debian's package
# when it is missing and we are root; otherwise says what to do and fails.
set -euo pipefail
path=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ -x $path ]]; then
	exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
	echo "installing Debian's chromium for the browser tests (apt-get install chromium)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	if [[ -x $path ]]; then
		exit 0
	fi
fi
cat >&2 <<MSG
The browser tests need Chromium at $path, and it is not there.
Install Debian's package as root (apt-get install chromium), or point
CHROMIUM_PATH at a Chromium or Chrome binary.
MSG
exit 1
