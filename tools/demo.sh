#!/bin/sh
# demo.sh - `make run`: installs what is missing, builds, creates a demo data
# directory (./demo) with a root CA, a template and its enrollment pattern and
# a user with the enrollment claim, serves the API through nginx with TLS and
# Basic auth on a free loopback port, and prints the curl line that enrolls
# and the console's URL.
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
	$tool role add Revokers --claim /certificates/collections/revoke/
	# The console's approver (demo) and someone whose requests wait for
	# approval (requester): nobody approves their own request.
	$tool template add NeedsApproval --eku serverAuth,clientAuth \
	    --require-approval
	$tool role add Operators --claim /certificates/requests/manage/ \
	    --claim /monitoring/alerts/read/ --claim /certificate_stores/read/
	$tool role add Requesters --claim /certificates/enrollment/pfx/
	$tool user add demo --role Enrollers --role Revokers --role Operators
	$tool user add requester --role Requesters
	openssl rand -hex 8 > "$demo/password"
	openssl rand -hex 8 > "$demo/requester.password"
	{ printf 'demo:%s\n' "$(openssl passwd -apr1 "$(cat "$demo/password")")"
	  printf 'requester:%s\n' "$(openssl passwd -apr1 \
	      "$(cat "$demo/requester.password")")"; } > "$demo/htpasswd"
	$tool ca show DemoRootCA > "$demo/ca.pem"
fi
tools/certenroll-serve stop --run "$demo/run" 2>/dev/null || true
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "$port" > "$demo/port"
tools/certenroll-serve start --data "$demo/data" --run "$demo/run" \
    --port "$port" --htpasswd "$demo/htpasswd"
# This run's port is where its certificates' CRL and responder are.
$tool ca urls --base "https://127.0.0.1:$port" --ocsp >/dev/null
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
cat > "$demo/revoke.sh" <<EOS
#!/bin/sh
# Revokes the certificate enroll.sh made, then asks the CRL at the URL the
# certificate carries (openssl verify -crl_check) and the OCSP responder
# it names (openssl ocsp) whether it is revoked.
set -eu
id=\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["CertificateInformation"]["KeyfactorId"])' $demo/enroll.json)
curl -sS --cacert $demo/ca.pem -u demo:$pw \\
  -H 'x-keyfactor-requested-with: APIClient' -H 'content-type: application/json' \\
  -d '{"CertificateIds":['\$id'],"Reason":1,"Comment":"make run demo"}' \\
  https://localhost:$port/KeyfactorAPI/Certificates/Revoke
echo
openssl pkcs12 -in $demo/enroll.pfx -passin file:$demo/enroll.pass -nokeys -clcerts \\
  -out $demo/enroll.crt
crl=\$(openssl x509 -in $demo/enroll.crt -noout -ext crlDistributionPoints | sed -n 's/.*URI://p' | tr -d ' ')
curl -sS --cacert $demo/ca.pem -o $demo/crl.pem "\$crl.pem"
if openssl verify -crl_check -CAfile $demo/ca.pem -CRLfile $demo/crl.pem $demo/enroll.crt \\
    > $demo/verify.out 2>&1 || ! grep -q "certificate revoked" $demo/verify.out; then
	cat $demo/verify.out; echo "not revoked on the CRL at \$crl"; exit 1
fi
ocsp=\$(openssl x509 -in $demo/enroll.crt -noout -ocsp_uri)
SSL_CERT_FILE=$demo/ca.pem openssl ocsp -issuer $demo/ca.pem -cert $demo/enroll.crt \\
  -url "\$ocsp" -CAfile $demo/ca.pem > $demo/ocsp.out 2>&1
grep -q ": revoked" $demo/ocsp.out || { cat $demo/ocsp.out; echo "not revoked at \$ocsp"; exit 1; }
echo "revoked: on the CRL at \$crl and at the responder \$ocsp"
EOS
chmod +x "$demo/revoke.sh"
cat > "$demo/request.sh" <<EOS
#!/bin/sh
# Asks (as requester) for a certificate whose template needs approval: it
# waits in the console's Pending approvals until demo approves or denies it.
set -eu
cn=\${1:-approve-me.example.com}
curl -sS --cacert $demo/ca.pem -u requester:$(cat "$demo/requester.password" 2>/dev/null) \\
  -H 'x-keyfactor-requested-with: APIClient' -H 'x-certificateformat: PFX' \\
  -H 'content-type: application/json' \\
  -d '{"Subject":"CN='\$cn'","Template":"NeedsApproval","KeyType":"ECC","SANs":{"dns":["'\$cn'"]},"Timestamp":"'\$(date -u +%Y-%m-%dT%H:%M:%SZ)'"}' \\
  https://localhost:$port/KeyfactorAPI/Enrollment/PFX |
python3 -c 'import json,sys; ci=json.load(sys.stdin)["CertificateInformation"]; print("request", ci["KeyfactorRequestId"], ci["RequestDisposition"])'
EOS
chmod +x "$demo/request.sh"
cat <<EOM
certenroll is serving https://localhost:$port/KeyfactorAPI (CA: $demo/ca.pem)
Enroll for a certificate:

curl --cacert $demo/ca.pem -u demo:$pw \\
  -H 'x-keyfactor-requested-with: APIClient' -H 'x-certificateformat: PFX' \\
  -H 'content-type: application/json' \\
  -d '{"Subject":"CN=app.example.com","Template":"WebServer","KeyType":"ECC","Timestamp":"$(date -u +%Y-%m-%dT%H:%M:%SZ)"}' \\
  https://localhost:$port/KeyfactorAPI/Enrollment/PFX

or run $demo/enroll.sh, which also opens the PKCS#12 with openssl, then
$demo/revoke.sh, which revokes it and checks the CRL at its CDP (openssl
verify -crl_check) and the OCSP responder at its AIA (openssl ocsp).

The console, in a browser (log in as demo, password $pw; the CA above
is the server's): https://localhost:$port/console/
$demo/request.sh [NAME] asks for a certificate that waits there for approval.
Stop with: make stop
EOM
