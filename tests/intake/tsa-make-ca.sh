#!/usr/bin/env bash
# tsa-make-ca.sh DIR: a test TSA's CA and certificate made with the openssl
# CLI (the TSA certificate has extendedKeyUsage=critical,timeStamping, as
# RFC 3161 requires), and the tsa.cnf `openssl ts -reply` reads. Sourced by
# the intake's tests; DIR/tsa-ca.pem is what [intake] tsa_ca_file names.
set -euo pipefail
d=$1
mkdir -p "$d"
(
  cd "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out tsa-ca.pem \
    -subj "/CN=Studio test TSA CA" -days 3650 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tsa.key -out tsa.csr \
    -subj "/CN=Studio test TSA" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n' >ext.cnf
  openssl x509 -req -in tsa.csr -CA tsa-ca.pem -CAkey ca.key -CAcreateserial -out tsa.crt -days 3650 \
    -extfile ext.cnf 2>/dev/null
  echo 01 >serial
  cat >tsa.cnf <<EOF
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = $PWD
serial = \$dir/serial
crypto_device = builtin
signer_cert = \$dir/tsa.crt
certs = \$dir/tsa-ca.pem
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
EOF
)
