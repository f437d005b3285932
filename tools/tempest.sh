#!/usr/bin/env bash
# Tempest with the zaqar-tempest-plugin (the OpenStack gate's API tests of
# Zaqar), installed from PyPI into a virtualenv of its own, for
# tests/functional/keystone/test_tempest.py.
#
#   tools/tempest.sh install   # make the virtualenv (idempotent)
#   tools/tempest.sh bin       # print the tempest command
#
# Environment:
#   TEMPEST_HOME     where the virtualenv lives (default <repo>/.services/tempest)
#   TEMPEST_PYTHON   interpreter for the virtualenv (default python3)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEMPEST_HOME=$(realpath -m "${TEMPEST_HOME:-$REPO/.services/tempest}")
TEMPEST_PYTHON=${TEMPEST_PYTHON:-python3}
VENV=$TEMPEST_HOME/venv
# Pinned: a new plugin release may add tests that expect more than the
# contract this server follows; moving the pins is a deliberate change.
PACKAGES=('tempest==47.0.0' 'zaqar-tempest-plugin==4.3.0')

install() {
  [ -x "$VENV/bin/tempest" ] && [ -f "$VENV/installed" ] && return
  echo "tempest.sh: installing ${PACKAGES[*]} into $VENV" >&2
  "$TEMPEST_PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}"
  touch "$VENV/installed"
}

case ${1:-} in
  install) install ;;
  bin) echo "$VENV/bin/tempest" ;;
  *) echo "usage: $0 install|bin" >&2; exit 2 ;;
esac
