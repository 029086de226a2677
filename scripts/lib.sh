# Shared helpers for scripts/run and scripts/test (sourced, not run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# One build directory outside the clone, shared by every checkout on this machine (saves a cold build).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/genesys-export/target}"

# Debian/Ubuntu packages the app needs to build and run.
APP_PACKAGES=(libwebkit2gtk-4.1-dev libgtk-3-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev pkg-config)
# Extra packages the tests need: a virtual display, the WebKit WebDriver, a real Secret Service, Chromium.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver gnome-keyring dbus-x11 dbus-daemon libsecret-tools chromium
  imagemagick x11-utils xdotool)

say() { printf '\n==> %s\n' "$*" >&2; }

# Install the given Debian packages, only those missing.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "Missing packages: ${missing[*]}. This script installs them with apt-get (Debian/Ubuntu)." >&2
    echo "On macOS or Windows, see README.md 'Other systems'." >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "Installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
      export PATH="$HOME/.cargo/bin:$PATH"
    else
      say "Installing Rust (rustup)"
      curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
      export PATH="$HOME/.cargo/bin:$PATH"
    fi
  fi
}

ensure_node_modules() {
  if ! command -v npm >/dev/null; then
    ensure_packages nodejs npm
  fi
  if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    say "Installing JavaScript test tools (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
