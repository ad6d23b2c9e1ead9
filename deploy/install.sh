#!/bin/sh
# Install Rampart on a systemd host from a built tree (POSIX sh, idempotent).
#
#   deploy/install.sh [--prefix DIR] [--root DIR] [--binary FILE] [--config FILE]
#                     [--no-keygen] [--dry-run]
#
# Creates the `rampart` system user, the directories with their modes, installs the
# binary, the systemd unit, sysusers and tmpfiles snippets, and -- only when absent --
# the example config, the audit HMAC key and the node key. It never overwrites a
# config or a key, never starts or restarts the service, and running it twice changes
# nothing the second time (the binary is replaced only when it differs).
set -eu

PREFIX=/usr/local
ROOT=
DRY_RUN=0
KEYGEN=1
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BINARY="$REPO/target/release/rampart"
EXAMPLE="$REPO/examples/rampart.toml"
USER_NAME=rampart

usage() {
    cat <<USAGE
usage: $0 [options]
  --prefix DIR    install the binary as DIR/bin/rampart (default /usr/local)
  --root DIR      stage into DIR instead of / (packaging); skips user creation,
                  ownership and systemctl
  --binary FILE   the binary to install (default target/release/rampart)
  --config FILE   example config copied to /etc/rampart/rampart.toml when absent
                  (default examples/rampart.toml)
  --no-keygen     do not create /var/lib/rampart/node.key
  --dry-run       print what would be done, change nothing
  -h, --help      this text
USAGE
}

die() { echo "install.sh: $*" >&2; exit 2; }
note() { echo "install.sh: $*"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || die "--prefix needs a value"; PREFIX=$2; shift 2 ;;
        --prefix=*) PREFIX=${1#*=}; shift ;;
        --root) [ $# -ge 2 ] || die "--root needs a value"; ROOT=$2; shift 2 ;;
        --root=*) ROOT=${1#*=}; shift ;;
        --binary) [ $# -ge 2 ] || die "--binary needs a value"; BINARY=$2; shift 2 ;;
        --binary=*) BINARY=${1#*=}; shift ;;
        --config) [ $# -ge 2 ] || die "--config needs a value"; EXAMPLE=$2; shift 2 ;;
        --config=*) EXAMPLE=${1#*=}; shift ;;
        --no-keygen) KEYGEN=0; shift ;;
        --dry-run) DRY_RUN=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

case "$PREFIX" in /*) ;; *) die "--prefix must be absolute: $PREFIX" ;; esac
PREFIX=${PREFIX%/}
[ -n "$PREFIX" ] || die "--prefix / is not supported; use /usr"
ROOT=${ROOT%/}
STAGING=0
[ -n "$ROOT" ] && STAGING=1
CHANGED=0

BIN_DIR="$PREFIX/bin"
if [ "$PREFIX" = /usr ]; then
    # Distribution layout (packages): vendor files under /usr/lib, admin drop-ins in /etc win.
    UNIT_DIR=/usr/lib/systemd/system
    SYSUSERS_DIR=/usr/lib/sysusers.d
    TMPFILES_DIR=/usr/lib/tmpfiles.d
else
    UNIT_DIR=/etc/systemd/system
    SYSUSERS_DIR=/etc/sysusers.d
    TMPFILES_DIR=/etc/tmpfiles.d
fi
CONF_DIR=/etc/rampart
STATE_DIR=/var/lib/rampart

# run CMD...: execute, or print under --dry-run.
run() {
    if [ "$DRY_RUN" -eq 1 ]; then
        echo "+ $*"
    else
        "$@"
    fi
}

# owner_args USER GROUP: install(1) ownership flags, empty when staging.
owner_args() {
    if [ "$STAGING" -eq 1 ]; then
        echo ""
    else
        echo "-o $1 -g $2"
    fi
}

# ensure_dir PATH: create a system directory if missing, never touch an existing one.
ensure_dir() {
    [ -d "$ROOT$1" ] || run mkdir -p "$ROOT$1"
}

# install_dir PATH MODE USER GROUP: create one of our directories, or fix its mode
# and ownership.
install_dir() {
    # shellcheck disable=SC2046 # owner_args is a list of flags by design
    run install -d -m "$2" $(owner_args "$3" "$4") "$ROOT$1"
}

# install_file SRC DEST MODE: copy atomically (temp + rename) when DEST differs.
install_file() {
    if [ -f "$ROOT$2" ] && cmp -s "$1" "$ROOT$2"; then
        note "unchanged: $2"
        return 0
    fi
    # A running daemon keeps its old inode; rename never leaves a half-written file.
    run install -m "$3" "$1" "$ROOT$2.new"
    run mv -f "$ROOT$2.new" "$ROOT$2"
    note "installed: $2"
    CHANGED=1
}

# --- preconditions -----------------------------------------------------------------
[ -f "$BINARY" ] || die "binary not found: $BINARY (cargo build --release --locked)"
if [ "$STAGING" -eq 0 ] && [ "$DRY_RUN" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
    die "must run as root (or use --dry-run / --root DIR)"
fi

# --- user --------------------------------------------------------------------------
if [ "$STAGING" -eq 1 ]; then
    note "staging into $ROOT: user creation and ownership are left to the package"
elif getent passwd "$USER_NAME" >/dev/null 2>&1; then
    note "user exists: $USER_NAME"
elif command -v systemd-sysusers >/dev/null 2>&1; then
    run systemd-sysusers "$HERE/systemd/rampart.sysusers.conf"
elif command -v useradd >/dev/null 2>&1; then
    run useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
        --shell /usr/sbin/nologin --comment "Rampart edge gateway" "$USER_NAME"
else
    die "cannot create user $USER_NAME: neither systemd-sysusers nor useradd found"
fi

# --- directories -------------------------------------------------------------------
ensure_dir "$BIN_DIR"
ensure_dir "$UNIT_DIR"
ensure_dir "$SYSUSERS_DIR"
ensure_dir "$TMPFILES_DIR"
install_dir "$CONF_DIR" 0750 root "$USER_NAME"
install_dir "$STATE_DIR" 0750 "$USER_NAME" "$USER_NAME"
install_dir "$STATE_DIR/audit" 0750 "$USER_NAME" "$USER_NAME"

# --- binary and systemd files ------------------------------------------------------
install_file "$BINARY" "$BIN_DIR/rampart" 0755
BINARY_CHANGED=$CHANGED

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
# The unit names /usr/bin/rampart; point it at the chosen prefix.
sed "s#/usr/bin/rampart#$BIN_DIR/rampart#g" "$HERE/systemd/rampart.service" > "$TMP/rampart.service"
install_file "$TMP/rampart.service" "$UNIT_DIR/rampart.service" 0644
install_file "$HERE/systemd/rampart.sysusers.conf" "$SYSUSERS_DIR/rampart.conf" 0644
install_file "$HERE/systemd/rampart.tmpfiles.conf" "$TMPFILES_DIR/rampart.conf" 0644

# --- config: only when absent --------------------------------------------------------
if [ -e "$ROOT$CONF_DIR/rampart.toml" ]; then
    note "kept existing config: $CONF_DIR/rampart.toml"
elif [ -f "$EXAMPLE" ]; then
    # shellcheck disable=SC2046
    run install -m 0640 $(owner_args root "$USER_NAME") "$EXAMPLE" "$ROOT$CONF_DIR/rampart.toml"
    note "installed example config: $CONF_DIR/rampart.toml (edit it before starting)"
else
    note "no example config at $EXAMPLE; write $CONF_DIR/rampart.toml yourself"
fi

# --- audit HMAC key: only when absent; read by PID 1 (LoadCredential), so root-only --
# Never staged: a key inside a package would be shared by every host installing it.
if [ "$STAGING" -eq 1 ]; then
    note "staging: the audit key is created at install time (postinst / %post)"
elif [ -e "$CONF_DIR/audit.key" ]; then
    note "kept existing audit key: $CONF_DIR/audit.key"
elif [ "$DRY_RUN" -eq 1 ]; then
    echo "+ head -c 32 /dev/urandom > $CONF_DIR/audit.key (mode 0600)"
else
    (umask 077 && head -c 32 /dev/urandom > "$CONF_DIR/audit.key.new")
    mv "$CONF_DIR/audit.key.new" "$CONF_DIR/audit.key"
    note "created audit key: $CONF_DIR/audit.key (back it up: verifying old segments needs it)"
fi

# --- node key (Ed25519, audit checkpoints / mesh identity): only when absent ---------
if [ "$KEYGEN" -eq 0 ] || [ "$STAGING" -eq 1 ]; then
    :
elif [ -e "$STATE_DIR/node.key" ]; then
    note "kept existing node key: $STATE_DIR/node.key"
else
    if run "$BIN_DIR/rampart" keygen --out "$STATE_DIR/node.key"; then
        run chown "$USER_NAME:$USER_NAME" "$STATE_DIR/node.key"
        if [ -e "$STATE_DIR/node.key.pub" ] || [ "$DRY_RUN" -eq 1 ]; then
            run chown "$USER_NAME:$USER_NAME" "$STATE_DIR/node.key.pub"
        fi
        note "created node key: $STATE_DIR/node.key"
    else
        note "warning: 'rampart keygen' failed; create $STATE_DIR/node.key later"
    fi
fi

# --- systemd -----------------------------------------------------------------------
if [ "$STAGING" -eq 0 ] && [ -d /run/systemd/system ]; then
    run systemctl daemon-reload
    if [ "$BINARY_CHANGED" -eq 1 ] && systemctl is-active --quiet rampart.service 2>/dev/null; then
        note "rampart is running the previous binary: 'systemctl restart rampart' when ready"
    elif ! systemctl is-enabled --quiet rampart.service 2>/dev/null; then
        note "next: edit $CONF_DIR/rampart.toml, 'rampart check' it, then 'systemctl enable --now rampart'"
    fi
fi
