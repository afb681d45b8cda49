"""Checks what the postq-agent chart renders (`helm template` output, parsed as YAML):
the hardened pod, read-only RBAC, resources, schedule, the one egress, and the API key
only ever in a Secret. Run by deploy/helm/test.sh; prints `N passed, N failed`.

    python3 check_chart.py RENDER_DIR CHART_DIR DOCKERFILE
RENDER_DIR holds one rendered file per case (`default.yaml`, `oneshot.yaml`, …).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Dict, List

import yaml

API_KEY = "pq_test_chart_key_0123456789"
READ_ONLY = {"get", "list", "watch"}
CHECKS: List[tuple[str, Callable[[], None]]] = []


def check(fn: Callable[[], None]) -> Callable[[], None]:
    CHECKS.append((fn.__name__, fn))
    return fn


def load(name: str) -> List[Dict[str, Any]]:
    text = (RENDER / f"{name}.yaml").read_text(encoding="utf-8")
    return [d for d in yaml.safe_load_all(text) if d]


def by_kind(docs: List[Dict[str, Any]], kind: str) -> List[Dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def one(docs: List[Dict[str, Any]], kind: str) -> Dict[str, Any]:
    found = by_kind(docs, kind)
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]


def pod_spec(docs: List[Dict[str, Any]]) -> Dict[str, Any]:
    jobs = by_kind(docs, "CronJob")
    if jobs:
        return jobs[0]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return one(docs, "Job")["spec"]["template"]["spec"]


def assert_hardened(spec: Dict[str, Any]) -> None:
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] == 65532, pod
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, pod
    assert not spec.get("hostNetwork") and not spec.get("hostPID"), spec
    (container,) = spec["containers"]
    sc = container["securityContext"]
    assert sc["runAsNonRoot"] is True and sc["runAsUser"] == 65532, sc
    assert sc["readOnlyRootFilesystem"] is True, sc
    assert sc["allowPrivilegeEscalation"] is False and sc["privileged"] is False, sc
    assert sc["capabilities"] == {"drop": ["ALL"]}, sc
    assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, sc
    assert container["resources"] == {
        "requests": {"cpu": "50m", "memory": "64Mi"},
        "limits": {"cpu": "200m", "memory": "128Mi"},
    }, container["resources"]
    assert container["args"] == ["agent", "--one-shot"], container["args"]
    assert spec["restartPolicy"] == "Never"


def env_of(spec: Dict[str, Any]) -> Dict[str, Any]:
    return {e["name"]: e for e in spec["containers"][0]["env"]}


@check
def default_is_an_hourly_cronjob() -> None:
    docs = load("default")
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == sorted(
        ["ServiceAccount", "Secret", "ClusterRole", "ClusterRoleBinding", "CronJob", "NetworkPolicy"]
    ), kinds
    cron = one(docs, "CronJob")["spec"]
    assert cron["schedule"] == "0 * * * *", cron["schedule"]
    assert cron["concurrencyPolicy"] == "Forbid"


@check
def the_pod_is_hardened() -> None:
    for case in ("default", "oneshot", "schedule"):
        assert_hardened(pod_spec(load(case)))


@check
def rbac_is_read_only_and_scoped() -> None:
    docs = load("default")
    assert not by_kind(docs, "Role") and not by_kind(docs, "RoleBinding")
    role = one(docs, "ClusterRole")
    groups = {}
    for rule in role["rules"]:
        assert set(rule["verbs"]) <= READ_ONLY, rule
        assert "*" not in rule["verbs"] + rule["resources"] + rule["apiGroups"], rule
        for group in rule["apiGroups"]:
            groups.setdefault(group, set()).update(rule["resources"])
    assert groups == {
        "": {"secrets", "configmaps"},
        "networking.k8s.io": {"ingresses"},
        "cert-manager.io": {"certificates", "issuers", "clusterissuers"},
        "security.istio.io": {"peerauthentications"},
        "networking.istio.io": {"destinationrules", "gateways"},
        "policy.linkerd.io": {"meshtlsauthentications"},
    }, groups
    binding = one(docs, "ClusterRoleBinding")
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    sa = one(docs, "ServiceAccount")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": sa["metadata"]["name"], "namespace": "postq"}
    ], binding["subjects"]
    assert pod_spec(docs)["serviceAccountName"] == sa["metadata"]["name"]


@check
def optional_crd_rules_follow_the_values() -> None:
    role = one(load("no-crds"), "ClusterRole")
    groups = sorted(g for rule in role["rules"] for g in rule["apiGroups"])
    assert groups == ["", "networking.k8s.io"], groups


@check
def the_api_key_lives_only_in_a_secret() -> None:
    docs = load("default")
    secret = one(docs, "Secret")
    assert secret["type"] == "Opaque" and set(secret["data"]) == {"POSTQ_API_KEY"}
    env = env_of(pod_spec(docs))
    ref = env["POSTQ_API_KEY"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": secret["metadata"]["name"], "key": "POSTQ_API_KEY"}, ref
    assert "value" not in env["POSTQ_API_KEY"]
    assert env["POSTQ_CLUSTER_NAME"]["value"] == "prod-east-1"
    assert env["POSTQ_ORG_ID"]["value"] == "org_acme"
    assert env["POSTQ_BASE_URL"]["value"] == "https://api.postq.dev"
    for case in ("default", "oneshot", "schedule", "no-crds"):
        text = (RENDER / f"{case}.yaml").read_text(encoding="utf-8")
        assert API_KEY not in text, f"{case}: the API key in clear"


@check
def one_shot_with_an_existing_secret_is_a_job() -> None:
    docs = load("oneshot")
    assert not by_kind(docs, "CronJob") and not by_kind(docs, "Secret")
    job = one(docs, "Job")
    assert job["spec"]["backoffLimit"] == 2
    env = env_of(pod_spec(docs))
    ref = env["POSTQ_API_KEY"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "postq-agent-key", "key": "POSTQ_API_KEY"}, ref
    assert "POSTQ_ORG_ID" not in env


@check
def the_schedule_is_a_value() -> None:
    cron = one(load("schedule"), "CronJob")["spec"]
    assert cron["schedule"] == "*/15 * * * *", cron["schedule"]


@check
def one_egress_and_nothing_in() -> None:
    policy = one(load("default"), "NetworkPolicy")["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"] and policy["ingress"] == []
    ports = sorted((p["protocol"], p["port"]) for rule in policy["egress"] for p in rule["ports"])
    assert ports == [("TCP", 53), ("TCP", 443), ("TCP", 6443), ("UDP", 53)], ports
    selector = policy["podSelector"]["matchLabels"]
    cron = one(load("default"), "CronJob")["spec"]
    pod_labels = cron["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    assert selector and selector.items() <= pod_labels.items(), (selector, pod_labels)


@check
def the_image_matches_the_chart_and_the_dockerfile() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    (container,) = pod_spec(load("default"))["containers"]
    assert container["image"] == f"ghcr.io/postqdev/postq-agent:{chart['appVersion']}"
    docker = DOCKERFILE.read_text(encoding="utf-8")
    users = [line.split()[1] for line in docker.splitlines() if line.startswith("USER ")]
    assert users and users[-1] == "65532:65532", users


def main() -> int:
    passed = failed = 0
    for name, fn in CHECKS:
        try:
            fn()
        except Exception as e:  # a failed check is reported, the others still run
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"chart: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    RENDER, CHART, DOCKERFILE = (Path(a) for a in sys.argv[1:4])
    sys.exit(main())
