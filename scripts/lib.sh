# Shared by ./agentsight and scripts/*: small helpers, no side effects on load.

die() {
  echo "agentsight: $*" >&2
  exit 1
}

# The dotnet executable, also when run through sudo (whose PATH usually lacks it).
find_dotnet() {
  locate_dotnet && echo "$DOTNET_BIN"
}

# As find_dotnet, into DOTNET_BIN, without starting a process in the usual case (./agentsight runs it on every start).
locate_dotnet() {
  local candidate dir dirs
  IFS=: read -ra dirs <<<"$PATH"
  for dir in "${dirs[@]}"; do
    if [[ -n "$dir" && -f "$dir/dotnet" && -x "$dir/dotnet" ]]; then
      DOTNET_BIN="$dir/dotnet"
      return 0
    fi
  done
  for candidate in "${DOTNET_ROOT:-}/dotnet" /usr/share/dotnet/dotnet /usr/lib/dotnet/dotnet /usr/local/share/dotnet/dotnet \
      "${SUDO_USER:+$(getent passwd "$SUDO_USER" | cut -d: -f6)/.dotnet/dotnet}" "$HOME/.dotnet/dotnet"; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then
      DOTNET_BIN="$candidate"
      return 0
    fi
  done
  return 1
}

# Runs a command as the user who invoked sudo (so build output is not owned by root), or as is.
as_invoking_user() {
  if [[ "$(id -u)" == 0 && -n "${SUDO_USER:-}" && "${SUDO_USER}" != root ]]; then
    sudo -u "$SUDO_USER" -- "$@"
  else
    "$@"
  fi
}
