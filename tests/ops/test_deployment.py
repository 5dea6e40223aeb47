"""Deployment files agree with each other (docker cannot run here, so what can be checked statically is)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose(name: str = "docker-compose.yml") -> dict:
    return yaml.safe_load((ROOT / name).read_text())


def test_every_mounted_file_exists():
    for name in ("docker-compose.yml", "docker-compose.tls.yml"):
        for service, spec in compose(name)["services"].items():
            for volume in spec.get("volumes", []):
                source = volume.split(":", 1)[0]
                if source.startswith("./"):
                    assert (ROOT / source).is_file(), f"{name}: {service} mounts missing {source}"


def test_prometheus_and_nginx_reach_the_mawid_service_on_its_port():
    services = compose()["services"]
    assert services["mawid"]["expose"] == ["8000"]
    assert "ports" not in services["mawid"]  # replicas sit behind nginx
    scrape = yaml.safe_load((ROOT / "prometheus" / "prometheus.yml").read_text())["scrape_configs"]
    app = next(job for job in scrape if job["job_name"] == "reservation_app")
    assert app["dns_sd_configs"][0]["names"] == ["mawid"] and app["dns_sd_configs"][0]["port"] == 8000
    upstream = (ROOT / "docker" / "nginx" / "upstream.conf").read_text()
    assert re.search(r"server mawid:8000;", upstream)
    for needed in ("prometheus", "alertmanager", "postgres", "redis", "nginx"):
        assert needed in services


def test_the_image_is_non_root_with_a_health_check_and_a_matching_pg_dump():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER mawid$", dockerfile, re.MULTILINE)
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    server_major = re.search(r"image: postgres:(\d+)", (ROOT / "docker-compose.yml").read_text()).group(1)
    assert f"postgresql-client-{server_major}" in dockerfile
    assert "uvloop" in (ROOT / "pyproject.toml").read_text()
