#!/bin/sh
# demo.sh - `make run`: installs what is missing, builds, creates a demo data
# directory (./demo) with a root CA, a template and its enrollment pattern and
# a user with the enrollment claim, serves the API through nginx with TLS and
# Basic auth on a free loopback port, and prints the curl line that enrolls.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
tools/install-deps.sh
make -s all
demo=$top/demo
tool="tools/certenroll -d $demo/data"
if [ ! -f "$demo/data/dek.key" ]; then
	mkdir -p "$demo"
	chmod 755 "$demo"
	$tool init
	$tool ca create 'demo.certenroll.local\DemoRootCA' --key ECC-P-256 \
	    --subject 'CN=certenroll Demo Root CA,O=certenroll demo'
	$tool template add WebServer --eku serverAuth,clientAuth
	$tool role add Enrollers --claim /certificates/enrollment/pfx/ \
	    --claim /certificates/collections/read/ \
	    --claim /certificate_stores/schedule/
	$tool user add demo --role Enrollers
	openssl rand -hex 8 > "$demo/password"
	printf 'demo:%s\n' "$(openssl passwd -apr1 "$(cat "$demo/password")")" \
	    > "$demo/htpasswd"
	$tool ca show DemoRootCA > "$demo/ca.pem"
fi
tools/certenroll-serve stop --run "$demo/run" 2>/dev/null || true
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "$port" > "$demo/port"
tools/certenroll-serve start --data "$demo/data" --run "$demo/run" \
    --port "$port" --htpasswd "$demo/htpasswd"
pw=$(cat "$demo/password")
cat > "$demo/enroll.sh" <<EOS
#!/bin/sh
# Enrolls for a certificate and opens the PKCS#12 with the returned password.
set -eu
curl -sS --cacert $demo/ca.pem -u demo:$pw \\
  -H 'x-keyfactor-requested-with: APIClient' -H 'x-certificateformat: PFX' \\
  -H 'content-type: application/json' \\
  -d '{"Subject":"CN=app.example.com","Template":"WebServer","KeyType":"ECC","SANs":{"dns":["app.example.com"]},"Timestamp":"'\$(date -u +%Y-%m-%dT%H:%M:%SZ)'"}' \\
  https://localhost:$port/KeyfactorAPI/Enrollment/PFX > $demo/enroll.json
python3 -c 'import json,sys; ci=json.load(open(sys.argv[1]))["CertificateInformation"]; print(ci["Pkcs12Blob"]); print(ci["Password"], file=open(sys.argv[2],"w"))' $demo/enroll.json $demo/enroll.pass | base64 -d > $demo/enroll.pfx
openssl pkcs12 -info -noout -in $demo/enroll.pfx -passin file:$demo/enroll.pass
echo "enrolled: $demo/enroll.pfx (password in $demo/enroll.pass)"
EOS
chmod +x "$demo/enroll.sh"
cat <<EOM
certenroll is serving https://localhost:$port/KeyfactorAPI (CA: $demo/ca.pem)
Enroll for a certificate:

curl --cacert $demo/ca.pem -u demo:$pw \\
  -H 'x-keyfactor-requested-with: APIClient' -H 'x-certificateformat: PFX' \\
  -H 'content-type: application/json' \\
  -d '{"Subject":"CN=app.example.com","Template":"WebServer","KeyType":"ECC","Timestamp":"$(date -u +%Y-%m-%dT%H:%M:%SZ)"}' \\
  https://localhost:$port/KeyfactorAPI/Enrollment/PFX

or run $demo/enroll.sh, which also opens the PKCS#12 with openssl.
Stop with: make stop
EOM
