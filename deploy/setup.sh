#!/usr/bin/env bash
# Set up Ottenok on a fresh Ubuntu/Debian VPS. Run as root from a checkout of the repository:
#   sudo bash deploy/setup.sh
# Then edit /opt/ottenok/.env and: systemctl restart ottenok
set -euo pipefail

APP_DIR=/opt/ottenok
APP_USER=ottenok
SRC_DIR="$(cd "$(dirname "$0")/.." && pwd)"

apt-get update
apt-get install -y python3 python3-venv python3-dev build-essential make rsync nginx

id -u "$APP_USER" >/dev/null 2>&1 || useradd --system --home "$APP_DIR" --shell /usr/sbin/nologin "$APP_USER"
mkdir -p "$APP_DIR"
rsync -a --delete --exclude .venv --exclude .git --exclude 'data/ottenok.db*' \
      --exclude data/chroma_db "$SRC_DIR"/ "$APP_DIR"/

cd "$APP_DIR"
make install
.venv/bin/ottenok knowledge --if-missing

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
chown -R "$APP_USER:$APP_USER" "$APP_DIR"

install -m 644 "$APP_DIR/deploy/ottenok.service" /etc/systemd/system/ottenok.service
install -m 644 "$APP_DIR/deploy/nginx-ottenok.conf" /etc/nginx/sites-available/ottenok
systemctl daemon-reload
systemctl enable ottenok

echo "Next: fill in $APP_DIR/.env, then: systemctl restart ottenok && journalctl -u ottenok -f"
echo "Webhook mode: edit /etc/nginx/sites-available/ottenok (domain, TLS), then"
echo "  ln -s /etc/nginx/sites-available/ottenok /etc/nginx/sites-enabled/ && nginx -t && systemctl reload nginx"
