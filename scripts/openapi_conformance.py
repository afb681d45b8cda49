"""OpenAPI conformance of the reference server, checked by schemathesis.

Starts the `postq-server` binary (in memory, request rates raised so the run is not
throttled), creates one of each resource so generated requests reach real rows, writes
a schemathesis.toml that pins every `{id}` path parameter to one of them, and runs
`schemathesis run` over every operation of the served /openapi.json with the checks
`not_a_server_error` and `response_schema_conformance`. Exit status is schemathesis's.

    python scripts/openapi_conformance.py SERVER_BINARY SCHEMATHESIS_BINARY
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

SEED = 4242
MAX_EXAMPLES = 30
UNLIMITED = "scans_write=1000000,read=1000000,write=1000000"


def start_server(binary):
    proc = subprocess.Popen(
        [binary, "--memory", "--listen", "127.0.0.1:0", "--rate-limits", UNLIMITED,
         "--unauthenticated-rate", "1000000"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "POSTQ_SERVER_LOG": "error"},
    )
    key, base, deadline = None, None, time.time() + 60
    while base is None:
        line = proc.stdout.readline()
        if not line or time.time() > deadline:
            proc.kill()
            sys.exit("postq-server did not start")
        line = line.strip()
        if line.startswith("pq_live_"):
            key = line
        if line.startswith("postq-server listening on "):
            base = line.split()[3]
    return proc, base, key


def call(base, key, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + key)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def fixtures(base, key):
    scan = call(base, key, "POST", "/v1/scans", {
        "type": "cloud", "target": "app.contoso.example", "riskScore": 80,
        "riskLevel": "High",
        "findings": [{"severity": "high", "title": "TLS 1.0 allowed", "code": "TLS-1.0-MIN"}],
    })
    hybrid_key = call(base, key, "POST", "/v1/keys", {"name": "conformance"})
    cred = call(base, key, "POST", "/v1/vault/credentials", {
        "name": "conformance", "credentialType": "api_key", "values": {"token": "t"},
    })
    rollover = call(base, key, "POST", "/v1/mitigations/tls-rollover", {
        "findingId": scan["findings"][0]["id"], "hostname": "app.contoso.example",
    })
    rollover_id = rollover.get("id") or rollover["rollover"]["id"]
    body_ids = {"keyId": hybrid_key["id"], "findingId": scan["findings"][0]["id"]}
    return body_ids, {
        "/v1/scans/{id}": scan["id"],
        "/v1/keys/{id}": hybrid_key["id"],
        "/v1/keys/{id}/public": hybrid_key["id"],
        "/v1/keys/{id}/rotate": hybrid_key["id"],
        "/v1/vault/credentials/{id}": cred["id"],
        "/v1/vault/credentials/{id}/rotate": cred["id"],
        "/v1/mitigations/tls-rollover/{id}": rollover_id,
        "/v1/mitigations/tls-rollover/{id}/download": rollover_id,
        "/v1/mitigations/tls-rollover/{id}/transition": rollover_id,
        "/v1/mitigations/tls-rollover/{id}/rollback": rollover_id,
    }


def write_config(directory, body_ids, path_ids):
    # Request bodies name real rows most of the time, so sign and rollover get past 404.
    lines = []
    for field, value in body_ids.items():
        lines += [f"[dictionaries.{field}]", f'values = ["{value}"]', ""]
    lines.append("[parameters]")
    for field in body_ids:
        lines.append(f'"body.{field}" = {{ dictionary = "{field}", probability = 0.7 }}')
    lines.append("")
    for path, value in path_ids.items():
        lines += ["[[operations]]", f'include-path = "{path}"',
                  f'parameters = {{ "path.id" = "{value}" }}', ""]
    with open(os.path.join(directory, "schemathesis.toml"), "w") as f:
        f.write("\n".join(lines))


def main():
    server_binary, schemathesis = (os.path.abspath(a) for a in sys.argv[1:3])
    proc, base, key = start_server(server_binary)
    try:
        body_ids, path_ids = fixtures(base, key)
        with tempfile.TemporaryDirectory() as work:
            # schemathesis writes a .schemathesis/ cache where it runs.
            write_config(work, body_ids, path_ids)
            started = time.time()
            code = subprocess.call([
                schemathesis, "run", base + "/openapi.json",
                "-H", "Authorization: Bearer " + key,
                "--checks", "not_a_server_error,response_schema_conformance",
                "--max-examples", str(MAX_EXAMPLES), "--workers", "2",
                "--request-timeout", "20", "--seed", str(SEED),
                "--suppress-health-check", "all", "--no-color",
            ], cwd=work)
            print(f"schemathesis finished in {time.time() - started:.0f} s (exit {code})")
            return code
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    sys.exit(main())
