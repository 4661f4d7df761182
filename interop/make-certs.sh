#!/usr/bin/env bash
# Makes throw-away TLS material for the interop suite with the openssl CLI; nothing here is
# committed and every run makes fresh keys.
#
#   bash interop/make-certs.sh DIR
#
# DIR/ca.crt                 a CA (its key ca.key signs everything below)
# DIR/server.crt, .key       server certificate for 127.0.0.1 / localhost, serial 0x1001
# DIR/server2.crt, .key      a second one, serial 0x1002 (the reload test swaps it in)
# DIR/client.crt, .key       client certificate (mutual TLS), serial 0x2001
# DIR/token                  an admin token (random hex), mode 600
# Keys are EC P-256 in PKCS#8 PEM ("BEGIN PRIVATE KEY"), as `openssl genpkey` writes them.
set -euo pipefail
dir="${1:?usage: make-certs.sh DIR}"
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key ca.key
openssl req -x509 -new -key ca.key -subj "/CN=Sluice Interop CA" -days 2 -out ca.crt \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" 2>/dev/null

# issue NAME SERIAL PURPOSE
issue() {
  local name="$1" serial="$2" purpose="$3"
  key "$name.key"
  openssl req -new -key "$name.key" -subj "/CN=sluice-interop-$name" -out "$name.csr" 2>/dev/null
  cat >"$name.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=$purpose
subjectAltName=IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -set_serial "$serial" -days 2 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

issue server 0x1001 serverAuth
issue server2 0x1002 serverAuth
issue client 0x2001 clientAuth

( umask 077; openssl rand -hex 24 >token )
chmod 600 ./*.key
