# Shared by bin/run and bin/test: a virtual environment in .venv with the project installed.
# Sourced, not executed. Re-installs only when pyproject.toml changed since the last install.

PYTHON=${PYTHON:-python3}

require_python() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "advocacy needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1))." >&2
    exit 1
  fi
}

# install_project EXTRAS: EXTRAS is "" or "[test]"
install_project() {
  require_python
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  local stamp=".venv/.installed$1-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "Installing advocacy$1 into .venv ..."
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".$1"
    rm -f .venv/.installed"$1"-*
    touch "$stamp"
  fi
  export PATH="$PWD/.venv/bin:$PATH"
}

compile_translations() {
  .venv/bin/pybabel -q compile -d advocacy/translations -D messages
}
