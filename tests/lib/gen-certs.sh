#!/usr/bin/env bash
# gen-certs.sh DIR: test certificates made at test time (dates relative
# to today, so no test goes stale), for the TLS golden tests:
#   ca.pem ca.key           root CA (self-signed, 10 years)
#   int.pem int.key         intermediate CA signed by the root
#   leaf.pem leaf.key       mail.example.com signed by the intermediate (400 days)
#   fullchain.pem           leaf.pem + int.pem
#   chain.pem               leaf.key + leaf.pem + int.pem (smtpd_tls_chain_files)
#   self.pem self.key       self-signed mail.example.com (400 days)
#   soon.pem soon.key       self-signed, valid for 10 more days
#   expired.pem expired.key self-signed, valid 2020-01-01 to 2021-01-01
#   other.key               a key that belongs to no certificate
#   enc.key                 leaf.key protected by a passphrase
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
q() { "$@" >/dev/null 2>&1 || { echo "gen-certs: $* failed" >&2; exit 1; }; }
key() { q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
key ca.key; key int.key; key leaf.key; key self.key; key soon.key; key expired.key; key other.key
q openssl req -x509 -new -key ca.key -out ca.pem -days 3650 -subj "/CN=Test Root CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
printf 'subjectAltName=DNS:mail.example.com\nextendedKeyUsage=serverAuth,clientAuth\n' > leaf.ext
q openssl req -new -key int.key -out int.csr -subj "/CN=Test Intermediate CA"
q openssl x509 -req -in int.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3000 \
    -extfile ca.ext -out int.pem
q openssl req -new -key leaf.key -out leaf.csr -subj "/CN=mail.example.com"
q openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -days 400 \
    -extfile leaf.ext -out leaf.pem
cat leaf.pem int.pem > fullchain.pem
cat leaf.key leaf.pem int.pem > chain.pem
q openssl req -x509 -new -key self.key -out self.pem -days 400 -subj "/CN=mail.example.com"
q openssl req -x509 -new -key soon.key -out soon.pem -days 10 -subj "/CN=soon.example.com"
# fixed dates in the past: openssl ca takes -startdate/-enddate
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n' > ca.cnf
: > index.txt
echo 01 > serial
q openssl req -new -key expired.key -out expired.csr -subj "/CN=old.example.com"
q openssl ca -batch -config ca.cnf -selfsign -keyfile expired.key -in expired.csr -out expired.pem \
    -startdate 20200101000000Z -enddate 20210101000000Z -notext
q openssl pkey -in leaf.key -out enc.key -aes256 -passout pass:secret
rm -f ./*.csr ./*.ext ca.cnf index.txt* serial* ./*.srl 01.pem
