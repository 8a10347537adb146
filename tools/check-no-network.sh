#!/bin/sh
# Fails when a program or library we build can reach the network (docs/SECURITY.md).
#
# usage: check-no-network.sh [--qtnetwork LIB] FILE...
#
# The rule, for each ELF FILE (its imported dynamic symbols, demangled):
#   1. No libc/libresolv network entry point: socket, connect, bind, listen, accept(4),
#      getaddrinfo, getnameinfo, gethostbyname*, gethostbyaddr*, res_*query, send/recv(to|msg).
#      (Local IPC goes through Qt's QLocalSocket, whose own socket() calls live in QtNetwork,
#      not in our files.)
#   2. Of the symbols QtNetwork exports, only local IPC may be used: every imported symbol that
#      libQt6Network defines must belong to QLocalServer or QLocalSocket (their methods, vtables,
#      typeinfo, meta objects). QTcpSocket, QNetworkAccessManager, QSslSocket, QHostAddress,
#      QAbstractSocket::connectToHost, ... all fail.
#   3. No library that exists to talk to the network is linked: libcurl, libssl, libQt6WebSockets,
#      libQt6WebEngine*, libQt6HttpServer, libQt6RemoteObjects.
# QtNetwork's library is the one FILE loads, directly or through QtQml (ldd), or the one given
# with --qtnetwork. Exit status: 0 clean, 1 a violation (each printed), 2 usage or tool error.
set -u

qtnet=""
if [ "${1:-}" = "--qtnetwork" ]; then
  qtnet="$2"
  shift 2
fi
[ $# -ge 1 ] || { echo "usage: $0 [--qtnetwork LIB] FILE..." >&2; exit 2; }
for tool in nm c++filt objdump; do
  command -v "$tool" >/dev/null 2>&1 || { echo "check-no-network: $tool not found" >&2; exit 2; }
done

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

libc_re='^(socket|connect|bind|listen|accept|accept4|getaddrinfo|getnameinfo|gethostbyname|gethostbyname2|gethostbyname_r|gethostbyname2_r|gethostbyaddr|gethostbyaddr_r|res_query|res_search|res_nquery|res_nsearch|__res_query|__res_search|send|sendto|sendmsg|recv|recvfrom|recvmsg)$'
lib_re='(libcurl|libssl|libQt6WebSockets|libQt6WebEngine|libQt6HttpServer|libQt6RemoteObjects)'
allowed_qt_re='^(QLocalServer|QLocalSocket)::|^(vtable|typeinfo|typeinfo name) for (QLocalServer|QLocalSocket)$'

status=0
for f in "$@"; do
  if [ ! -f "$f" ]; then
    echo "check-no-network: $f does not exist" >&2
    exit 2
  fi
  # Imported symbols, without their version suffix (getaddrinfo@GLIBC_2.2.5).
  nm -D --undefined-only "$f" 2>/dev/null | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$tmp/undef" || exit 2
  if [ ! -s "$tmp/undef" ] && ! nm -D "$f" >/dev/null 2>&1; then
    echo "check-no-network: $f is not a dynamic ELF file" >&2
    exit 2
  fi

  grep -E "$libc_re" "$tmp/undef" | while read -r s; do echo "$f: calls $s (network)"; done >"$tmp/bad"

  objdump -p "$f" | awk '/NEEDED/ {print $2}' >"$tmp/needed"
  grep -E "$lib_re" "$tmp/needed" | while read -r l; do echo "$f: links $l (network library)"; done >>"$tmp/bad"

  net="$qtnet"
  if [ -z "$net" ]; then
    # Also when QtNetwork is only an indirect dependency (QtQml pulls it in).
    net=$(ldd "$f" 2>/dev/null | awk '/libQt6Network/ {print $3; exit}')
    if [ -z "$net" ] && grep -q 'libQt6Network' "$tmp/needed"; then
      echo "check-no-network: $f links QtNetwork but ldd cannot find it" >&2
      exit 2
    fi
  fi
  if [ -n "$net" ]; then
    nm -D --defined-only "$net" | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$tmp/qtnet" || exit 2
    comm -12 "$tmp/undef" "$tmp/qtnet" | c++filt | grep -Ev "$allowed_qt_re" |
      while read -r s; do echo "$f: uses $s (QtNetwork beyond local IPC)"; done >>"$tmp/bad"
  fi

  if [ -s "$tmp/bad" ]; then
    cat "$tmp/bad"
    status=1
  else
    echo "$f: no network access ($(wc -l <"$tmp/undef") imported symbols checked)"
  fi
done
exit $status
