#!/usr/bin/env bash
# Install Ottenok on an Ubuntu/Debian VPS, or upgrade it: run as root from a checkout of the
# repository, the first time and after every `git pull`:
#   sudo bash deploy/setup.sh
# Then edit /opt/ottenok/.env (first time) and: systemctl restart ottenok
#
# Safe to re-run. The code (every top-level file and folder of the checkout but data/) is
# replaced; the shop's things are never touched: .env, data/ (the database with its -wal/-shm,
# inventory, knowledge_base, photos, replies.yaml, the caches chroma_db, photo_cache,
# photo_index.json, anything else kept there) and any other top-level file or folder that is not
# part of the checkout. data/ is seeded with the sample shop only when it does not exist yet. An
# upgrade backs the database up to data/backups/ (the newest 3 are kept) and restarts a running
# service, which migrates the database forward as it starts.
#
#   APP_DIR=/srv/ottenok bash deploy/setup.sh     install somewhere else (default /opt/ottenok)
#   bash deploy/setup.sh --no-system              files only: no apt-get, useradd, chown,
#                                                 systemd or nginx (a container, or a test)
set -euo pipefail

SYSTEM=1
for arg in "$@"; do
    case "$arg" in
        --no-system) SYSTEM=0 ;;
        *) echo "usage: $0 [--no-system]" >&2; exit 2 ;;
    esac
done

APP_DIR="${APP_DIR:-/opt/ottenok}"
APP_USER=ottenok
SRC_DIR="$(cd "$(dirname "$0")/.." && pwd)"
KEEP_BACKUPS=3

if [ "$SYSTEM" = 1 ]; then
    apt-get update
    apt-get install -y python3 python3-venv python3-dev build-essential make nginx
    id -u "$APP_USER" >/dev/null 2>&1 \
        || useradd --system --home "$APP_DIR" --shell /usr/sbin/nologin "$APP_USER"
fi
mkdir -p "$APP_DIR"
APP_DIR="$(cd "$APP_DIR" && pwd)"

# The code: each top-level entry of the checkout replaces its copy whole (so files deleted
# from the repository, an old migration among them, do not linger), staged next to it first.
if [ "$SRC_DIR" != "$APP_DIR" ]; then
    shopt -s dotglob nullglob
    for item in "$SRC_DIR"/*; do
        name="$(basename "$item")"
        case "$name" in
            data | .env | .venv | .git | .pytest_cache | .ruff_cache | .hypothesis \
                | __pycache__ | *.egg-info) continue ;;
        esac
        staged="$APP_DIR/.$name.new"
        rm -rf "$staged"
        cp -a "$item" "$staged"
        if [ -d "$staged" ]; then
            find "$staged" -name __pycache__ -type d -prune -exec rm -rf {} +
        fi
        rm -rf "${APP_DIR:?}/$name"
        mv "$staged" "$APP_DIR/$name"
    done
    shopt -u dotglob nullglob
fi

# The shop's data: the sample shop only on a first install, without anything a run left there.
if [ ! -e "$APP_DIR/data" ]; then
    if [ -d "$SRC_DIR/data" ]; then
        cp -a "$SRC_DIR/data" "$APP_DIR/data"
        rm -rf "$APP_DIR"/data/ottenok.db* "$APP_DIR/data/chroma_db" \
            "$APP_DIR/data/photo_cache" "$APP_DIR/data/photo_index.json" "$APP_DIR/data/backups"
    else
        mkdir -p "$APP_DIR/data"
    fi
fi

if [ ! -f "$APP_DIR/.env" ]; then
    cat > "$APP_DIR/.env" <<'ENV'
# GREEN-API instance (console.green-api.com): id, token and the hosts shown for the instance.
GREEN_API_ID_INSTANCE=
GREEN_API_TOKEN=
GREEN_API_URL=https://api.green-api.com
GREEN_API_MEDIA_URL=https://media.green-api.com
# 1 = long polling (no public URL needed); 0 = webhook behind nginx (set the token in GREEN-API too).
GREEN_API_POLLING=1
GREEN_API_WEBHOOK_TOKEN=
# Managers' phones, comma-separated: they get order notices and may send /handoff, /orders, /help.
MANAGER_NUMBERS=
TIMEZONE=Asia/Almaty
WORK_HOURS=9-19
ENV
    chmod 600 "$APP_DIR/.env"
fi

cd "$APP_DIR"
make install

# A copy of the database (wherever .env puts it) before the new code migrates it; SQLite's
# backup API reads a consistent copy even while the service writes.
.venv/bin/python - "$KEEP_BACKUPS" <<'PY'
import sqlite3
import sys
from contextlib import closing
from datetime import UTC, datetime

from app.settings import Settings

database = Settings().database
if database.exists():
    folder = database.parent / "backups"
    folder.mkdir(exist_ok=True)
    target = folder / f"{database.name}.{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    for old in sorted(folder.glob(f"{database.name}.*"))[: -int(sys.argv[1])]:
        old.unlink()
    print(f"database backed up to {target}")
PY

.venv/bin/ottenok knowledge --if-missing

if [ "$SYSTEM" = 1 ]; then
    chown -R "$APP_USER:$APP_USER" "$APP_DIR"
    install -m 644 "$APP_DIR/deploy/ottenok.service" /etc/systemd/system/ottenok.service
    # The nginx site holds the shop's domain and certificates once edited: installed once.
    if [ ! -f /etc/nginx/sites-available/ottenok ]; then
        install -m 644 "$APP_DIR/deploy/nginx-ottenok.conf" /etc/nginx/sites-available/ottenok
    fi
    systemctl daemon-reload
    systemctl enable ottenok
    if systemctl is-active --quiet ottenok; then
        systemctl restart ottenok  # the new code; the database migrates as it starts
        echo "Upgraded and restarted: journalctl -u ottenok -f"
        exit 0
    fi
fi

echo "Next: fill in $APP_DIR/.env, then: systemctl restart ottenok && journalctl -u ottenok -f"
echo "Webhook mode: edit /etc/nginx/sites-available/ottenok (domain, TLS), then"
echo "  ln -s /etc/nginx/sites-available/ottenok /etc/nginx/sites-enabled/ && nginx -t && systemctl reload nginx"
