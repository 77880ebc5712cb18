#!/bin/sh
# The local CA and HAProxy's server certificate for MQTT over TLS (8883) and AMQP over TLS (5671).
# Run at every start, it creates only what is missing, so the CA is generated once and clients keep trusting it:
#   DIR/ca.pem       the CA certificate: what clients trust (MQTT_TLS_CA, AMQP_TLS_CA), public
#   DIR/ca.key       the CA's private key (mode 600), kept to issue a new server certificate
#   DIR/server.pem   HAProxy's certificate (SAN: localhost, 127.0.0.1, haproxy) followed by its key (mode 600)
# Delete server.pem to issue a new one from the same CA; delete the whole directory to start a new CA (every
# client then needs the new ca.pem).
# Used by scripts/stack (into its state directory) and by docker-compose.yaml's one-shot tls-init service
# (into the volume HAProxy and the sensors mount). Needs only the openssl command line tool.
#
# Usage: make-certs.sh DIR [OWNER]   OWNER (uid:gid) receives server.pem: HAProxy's user in its image.
set -eu

dir=${1:?usage: make-certs.sh DIR [OWNER]}
owner=${2:-}
# Client certificates are not used; the server certificate's names are how clients reach HAProxy: this machine
# (native stack, published compose ports) and the compose service name.
san="DNS:localhost,IP:127.0.0.1,DNS:haproxy"
ca_days=3650
server_days=825

mkdir -p "$dir"
umask 077

if [ ! -s "$dir/ca.pem" ] || [ ! -s "$dir/ca.key" ]; then
    echo "make-certs: creating a local CA in $dir" >&2
    rm -f "$dir/ca.pem" "$dir/ca.key" "$dir/server.pem"
    openssl req -x509 -new -newkey rsa:3072 -nodes -sha256 -days "$ca_days" \
        -subj "/O=Thermowatch/CN=Thermowatch local CA" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" 2> /dev/null
    chmod 644 "$dir/ca.pem"
fi

if [ ! -s "$dir/server.pem" ]; then
    echo "make-certs: issuing HAProxy's certificate ($san)" >&2
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/O=Thermowatch/CN=haproxy" \
        -keyout "$work/server.key" -out "$work/server.csr" 2> /dev/null
    printf '%s\n' "subjectAltName=$san" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > "$work/ext"
    openssl x509 -req -in "$work/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
        -CAserial "$work/ca.srl" -days "$server_days" -sha256 -extfile "$work/ext" -out "$work/server.crt" 2> /dev/null
    # HAProxy reads the certificate and its key from one file (bind ... ssl crt FILE).
    cat "$work/server.crt" "$work/server.key" > "$work/server.pem"
    if [ -n "$owner" ]; then
        chown "$owner" "$work/server.pem"
    fi
    mv "$work/server.pem" "$dir/server.pem"
fi

# Only the CA certificate is for everyone (the sensors in compose run as another user than this script).
chmod 755 "$dir"
chmod 644 "$dir/ca.pem"
chmod 600 "$dir/ca.key" "$dir/server.pem"
