#!/usr/bin/env bash
# A real OpenStack Keystone (identity v3) for Zaqar's tests and CI, from PyPI.
#
# Keystone runs from its own virtualenv on SQLite with fernet tokens, served
# by gunicorn (one worker: its in-process cache is only coherent within one
# process). Everything lives under $KEYSTONE_HOME, which is git-ignored.
#
#   tools/keystone.sh start   # install, configure, bootstrap, serve (idempotent)
#   tools/keystone.sh stop    # stop the gunicorn this script started (by pid)
#   tools/keystone.sh env     # print the URL and the accounts (shell syntax)
#
# Accounts (domain "Default"):
#   admin / adminpass   project admin     role admin
#   demo  / demopass    project demo      role member
#   zaqar / zaqarpass   project service   role service (keystonemiddleware's
#                                         service user: may validate tokens)
#
# Environment:
#   KEYSTONE_HOME    state folder (default <repo>/.services/keystone)
#   KEYSTONE_PORT    port on 127.0.0.1 (default 5001)
#   KEYSTONE_PYTHON  interpreter for the virtualenv, >= 3.11 (default python3)
#
# The first start (virtualenv + database + bootstrap) takes about a minute;
# later starts about two seconds.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEYSTONE_HOME=$(realpath -m "${KEYSTONE_HOME:-$REPO/.services/keystone}")
KEYSTONE_PORT=${KEYSTONE_PORT:-5001}
KEYSTONE_PYTHON=${KEYSTONE_PYTHON:-python3}
URL="http://127.0.0.1:$KEYSTONE_PORT/v3"

VENV=$KEYSTONE_HOME/venv
ETC=$KEYSTONE_HOME/etc
PID_FILE=$KEYSTONE_HOME/gunicorn.pid
LOG_FILE=$KEYSTONE_HOME/keystone.log
ENV_FILE=$KEYSTONE_HOME/accounts.env
BOOTSTRAPPED=$KEYSTONE_HOME/bootstrapped

say() { echo "keystone.sh: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
  echo "usage: $0 start|stop|env" >&2
  exit 2
}

answers() {
  "$KEYSTONE_PYTHON" - "$URL" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as answer:
        sys.exit(0 if answer.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

our_pid() {
  # The pid in the pid file, if that process is still our gunicorn.
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "keystone_entry:application" \
    || return 1
  echo "$pid"
}

install_venv() {
  [ -x "$VENV/bin/gunicorn" ] && [ -x "$VENV/bin/keystone-manage" ] && return
  "$KEYSTONE_PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$KEYSTONE_PYTHON is older than 3.11 (keystone 30 needs 3.11)"
  say "installing keystone into $VENV"
  "$KEYSTONE_PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    'keystone==30.0.0' 'gunicorn>=23'
}

write_config() {
  mkdir -p "$ETC" "$KEYSTONE_HOME/fernet-keys" "$KEYSTONE_HOME/credential-keys"
  chmod 700 "$KEYSTONE_HOME/fernet-keys" "$KEYSTONE_HOME/credential-keys"
  cat >"$ETC/keystone.conf" <<EOF
# Written by tools/keystone.sh: a test deployment, not for production.
[DEFAULT]
use_stderr = true

[database]
connection = sqlite:///$KEYSTONE_HOME/keystone.sqlite
# No fsync per commit: this database is thrown away.
sqlite_synchronous = false

[token]
provider = fernet
expiration = 3600

[fernet_tokens]
key_repository = $KEYSTONE_HOME/fernet-keys

[fernet_receipts]
key_repository = $KEYSTONE_HOME/fernet-keys

[credential]
key_repository = $KEYSTONE_HOME/credential-keys

[resource]
# Only the "admin" project is the admin project (otherwise every token
# would be marked as belonging to the admin project).
admin_project_name = admin
admin_project_domain_name = Default

[identity]
# bcrypt looks at 72 bytes at most; longer limits only produce warnings.
max_password_length = 72
# The cheapest bcrypt cost keeps each password check at a few ms.
password_hash_rounds = 4

[cache]
# In-process cache (coherent because gunicorn runs a single worker).
enabled = true
backend = dogpile.cache.memory
EOF

  # Keystone parses the process's command line while it starts; under
  # gunicorn that holds gunicorn's own flags, so hide them.
  cat >"$KEYSTONE_HOME/keystone_entry.py" <<'EOF'
"""gunicorn entry point of the test keystone (see tools/keystone.sh)."""
import sys

_real_argv = sys.argv
sys.argv = _real_argv[:1]
try:
    from keystone.server import wsgi

    application = wsgi.initialize_public_application()
finally:
    sys.argv = _real_argv
EOF
}

manage() {
  OS_KEYSTONE_CONFIG_DIR=$ETC PYTHONWARNINGS=ignore \
    "$VENV/bin/keystone-manage" --config-file "$ETC/keystone.conf" "$@" \
    >>"$LOG_FILE" 2>&1
}

bootstrap_database() {
  [ -f "$BOOTSTRAPPED" ] && return
  say "creating the database and keys"
  manage db_sync
  local user group
  user=$(id -un)
  group=$(id -gn)
  [ -f "$KEYSTONE_HOME/fernet-keys/0" ] \
    || manage fernet_setup --keystone-user "$user" --keystone-group "$group"
  [ -f "$KEYSTONE_HOME/credential-keys/0" ] \
    || manage credential_setup --keystone-user "$user" --keystone-group "$group"
  manage bootstrap --bootstrap-username admin \
    --bootstrap-password adminpass --bootstrap-project-name admin \
    --bootstrap-role-name admin --bootstrap-service-name keystone \
    --bootstrap-region-id RegionOne --bootstrap-public-url "$URL" \
    --bootstrap-internal-url "$URL" --bootstrap-admin-url "$URL"
}

serve() {
  if our_pid >/dev/null && answers; then
    return
  fi
  if answers; then
    die "something that is not ours already answers on $URL"
  fi
  say "starting gunicorn on 127.0.0.1:$KEYSTONE_PORT"
  # One request at a time: two concurrent writers on keystone's SQLite
  # database (tempest making its users while tokens are issued) fail with
  # "database is locked" (a 500) instead of waiting.
  (
    cd "$KEYSTONE_HOME"
    OS_KEYSTONE_CONFIG_DIR=$ETC PYTHONWARNINGS=ignore setsid \
      "$VENV/bin/gunicorn" --chdir "$KEYSTONE_HOME" \
      --bind "127.0.0.1:$KEYSTONE_PORT" --workers 1 --threads 1 \
      --timeout 120 --name keystone --no-control-socket \
      --pid "$PID_FILE" keystone_entry:application \
      >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
  )
  local tries=0
  until answers; do
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ]; then
      tail -n 30 "$LOG_FILE" >&2
      die "keystone does not answer on $URL after 60 s (log: $LOG_FILE)"
    fi
    sleep 0.2
  done
}

create_accounts() {
  [ -f "$BOOTSTRAPPED" ] && [ -f "$ENV_FILE" ] && return
  say "creating the demo and zaqar accounts"
  "$VENV/bin/python" - "$URL" >"$ENV_FILE.tmp" <<'PY'
"""Create the test accounts through the identity API; print them."""
import json
import sys
import urllib.parse
import urllib.request

url = sys.argv[1]


def call(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("X-Auth-Token", token)
    with urllib.request.urlopen(request, timeout=30) as answer:
        text = answer.read()
        return answer.headers, json.loads(text) if text else None


def login(user, password, project):
    scope = {"project": {"name": project, "domain": {"id": "default"}}}
    identity = {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"id": "default"}, "password": password}}}
    headers, body = call("POST", "/auth/tokens",
                         {"auth": {"identity": identity, "scope": scope}})
    return headers["X-Subject-Token"], body["token"]


admin_token, admin_body = login("admin", "adminpass", "admin")


def find_or_create(kind, name, document):
    query = urllib.parse.urlencode({"name": name})
    found = call("GET", f"/{kind}s?{query}", token=admin_token)[1][kind + "s"]
    if found:
        return found[0]["id"]
    return call("POST", f"/{kind}s", {kind: document},
                token=admin_token)[1][kind]["id"]


values = {"KEYSTONE_URL": url,
          "KEYSTONE_ADMIN_USER": "admin",
          "KEYSTONE_ADMIN_PASSWORD": "adminpass",
          "KEYSTONE_ADMIN_PROJECT": "admin",
          "KEYSTONE_ADMIN_PROJECT_ID": admin_body["project"]["id"],
          "KEYSTONE_ADMIN_USER_ID": admin_body["user"]["id"]}
for prefix, user, password, project, role in [
        ("DEMO", "demo", "demopass", "demo", "member"),
        ("ZAQAR", "zaqar", "zaqarpass", "service", "service")]:
    project_id = find_or_create("project", project,
                                {"name": project, "domain_id": "default"})
    user_id = find_or_create("user", user, {
        "name": user, "domain_id": "default", "password": password,
        "default_project_id": project_id})
    role_id = find_or_create("role", role, {"name": role})
    call("PUT", f"/projects/{project_id}/users/{user_id}/roles/{role_id}",
         token=admin_token)
    login(user, password, project)  # the account works
    values.update({f"KEYSTONE_{prefix}_USER": user,
                   f"KEYSTONE_{prefix}_PASSWORD": password,
                   f"KEYSTONE_{prefix}_PROJECT": project,
                   f"KEYSTONE_{prefix}_PROJECT_ID": project_id,
                   f"KEYSTONE_{prefix}_USER_ID": user_id})
for key, value in values.items():
    print(f"{key}={value}")
PY
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  touch "$BOOTSTRAPPED"
}

lock() {
  # One start or stop at a time: parallel test workers may all start it.
  mkdir -p "$KEYSTONE_HOME"
  exec 9>"$KEYSTONE_HOME/lock"
  if command -v flock >/dev/null; then
    flock 9
  fi
}

do_start() {
  lock
  install_venv
  write_config
  bootstrap_database
  serve
  create_accounts
  say "serving $URL (pid $(cat "$PID_FILE"))"
}

do_stop() {
  lock
  local pid
  if ! pid=$(our_pid); then
    rm -f "$PID_FILE"
    say "not running"
    return
  fi
  kill -TERM "$pid"
  local tries=0
  while kill -0 "$pid" 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then
      say "pid $pid ignored TERM for 20 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  say "stopped pid $pid"
}

do_env() {
  [ -f "$ENV_FILE" ] || die "no accounts yet: run '$0 start' first"
  cat "$ENV_FILE"
}

[ $# -eq 1 ] || usage
case $1 in
  start) do_start ;;
  stop) do_stop ;;
  env) do_env ;;
  *) usage ;;
esac
