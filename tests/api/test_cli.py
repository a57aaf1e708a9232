"""The `callreview` command as a user runs it: a real process, a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipeline.test_pipeline import GOOD_CALL

REPO = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "CALLREVIEW_DATABASE_URL": f"sqlite:///{cwd}/cli.db",
        "CALLREVIEW_STORAGE_DIR": str(cwd / "storage"),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def calls_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "calls"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_CALL)
    rude = GOOD_CALL.replace(
        "I'm so sorry about that, I understand how frustrating a surprise bill is.",
        "Calm down, that's not my problem.",
    )
    (folder / "rude.txt").write_text(rude)
    (folder / "ignored.pdf").write_bytes(b"%PDF-1.4")
    return folder


def test_review_folder_json_is_only_the_array_on_stdout(tmp_path: Path, calls_dir: Path):
    res = run_cli("review", str(calls_dir), "--format", "json", "--agent", "Priya", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    results = json.loads(res.stdout)
    assert [Path(r["filename"]).name for r in results] == ["good.txt", "rude.txt"]
    good, rude = results
    assert good["evaluation"]["score"] == 100.0
    assert rude["evaluation"]["auto_failed"] is True
    assert rude["evaluation"]["score"] == 0.0
    verdicts = {c["id"]: c["verdict"] for c in rude["evaluation"]["criteria"]}
    assert verdicts["professional_language"] == "fail"
    assert verdicts["empathy"] == "fail"
    assert any(m["type"] == "prohibited_phrase" for m in rude["moments"])

    again = run_cli(
        "review", str(calls_dir / "good.txt"), "--format", "json", "--agent", "Priya", cwd=tmp_path
    )
    assert json.loads(again.stdout)[0]["call_id"] == good["call_id"]


def test_review_table_and_rejections(tmp_path: Path, calls_dir: Path):
    bogus = tmp_path / "bogus.wav"
    bogus.write_text("not audio at all")
    res = run_cli("review", str(calls_dir / "rude.txt"), str(bogus), cwd=tmp_path)
    assert res.returncode == 1
    assert "professional_language" in res.stdout
    assert "AUTO-FAILED" in res.stdout
    assert f"error: {bogus}: 'bogus.wav' is neither audio" in res.stderr
    assert f"reviews stored in {tmp_path.resolve() / 'cli.db'}" in res.stderr

    missing = run_cli("review", str(tmp_path / "nope.wav"), cwd=tmp_path)
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


def test_rubric_validate_names_field_and_line(tmp_path: Path):
    from scoring import builtin_rubrics

    good = builtin_rubrics()["contact-center-default"]
    ok = run_cli("rubric", "validate", str(good), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "contact-center-default version 1, 8 criteria" in ok.stdout

    text = good.read_text().replace("type: hold", "type: magic", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "type: magic" in ln)
    res = run_cli("rubric", "validate", str(bad), cwd=tmp_path)
    assert res.returncode == 1
    assert "magic" in res.stderr
    assert f"line {line}" in res.stderr


def test_users_create_prints_id_last_and_config_masks_secrets(tmp_path: Path):
    import uuid

    res = run_cli(
        "users",
        "create",
        "--email",
        "qa@example.com",
        "--name",
        "Quinn",
        "--role",
        "qa_analyst",
        "--password",
        "correct horse",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    uuid.UUID(res.stdout.strip().splitlines()[-1])
    dup = run_cli(
        "users",
        "create",
        "--email",
        "qa@example.com",
        "--name",
        "Quinn",
        "--role",
        "qa_analyst",
        "--password",
        "correct horse",
        cwd=tmp_path,
    )
    assert dup.returncode == 1 and "already exists" in dup.stderr

    cfg = run_cli("config", cwd=tmp_path, env={"CALLREVIEW_SECRET_KEY": "s3cr3t-value"})
    assert "CALLREVIEW_SECRET_KEY=********" in cfg.stdout
    assert "s3cr3t-value" not in cfg.stdout
    assert "CALLREVIEW_ASR_MODEL=base" in cfg.stdout


def test_models_lists_offline_models_and_converts_for_openai_whisper(tmp_path: Path):
    env = {"CALLREVIEW_MODELS_DIR": str(tmp_path / "models")}
    listed = run_cli("models", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    # One line per model, then its measurements (or "not measured"), indented.
    assert [ln.split()[:3] for ln in lines if not ln.startswith(" ")] == [
        ["faster-whisper", "base", "offline"],
        ["faster-whisper", "tiny.en", "offline"],
    ]
    assert lines[0].endswith("(default)") and "(on first use)" in lines[0]
    assert all(ln.strip().startswith(("WER clean", "not measured")) for ln in lines[1::2])
    res = run_cli(
        "models", "convert", "tiny.en", "--engine", "openai-whisper", cwd=tmp_path, env=env
    )
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "models" / "openai-whisper" / "tiny.en.pt").stat().st_size > 70_000_000
    again = run_cli("models", cwd=tmp_path, env=env)
    assert ["openai-whisper", "tiny.en", "offline"] in [
        ln.split()[:3] for ln in again.stdout.splitlines()
    ]
    assert not (
        tmp_path / "models" / "faster-whisper" / "base"
    ).exists()  # listing assembles nothing
    bad = run_cli("models", "convert", "large-v3", cwd=tmp_path, env=env)
    assert bad.returncode == 1
    assert "neither a local model folder nor available offline" in bad.stderr


def test_version_and_a_light_types_import() -> None:
    from typer.testing import CliRunner

    from api.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("callreview ")
    # Importing a package's small types module loads no speech-model runtime.
    code = (
        "import sys, transcription.types, scoring.types, coaching.types; "
        "print(sorted(m for m in ('av', 'ctranslate2', 'faster_whisper', 'torch') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_where_reviews_are_stored_is_said_without_a_password():
    from api.cli import stored_where

    assert stored_where("sqlite:///./x/callreview.db") == str(Path("x/callreview.db").resolve())
    shown = stored_where("postgresql://qa:s3cret@db.example:5432/callreview")
    assert "s3cret" not in shown and shown.endswith("@db.example:5432/callreview")
