"""The run file type: new files carry SQLite's application_id, so shared-mime-info and libmagic tell runs from
other SQLite databases (resources/*.mime.xml, resources/attnscope.magic); files without it still open."""
import os
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET

import pytest

import attnscope
from attnscope import RunWriter
from attnscope.schema import APPLICATION_ID

RESOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "resources")
MIME_XML = os.path.join(RESOURCES, "io.github.attnscope.AttnScope.mime.xml")
MAGIC = os.path.join(RESOURCES, "attnscope.magic")


def _application_id(path):
    with open(path, "rb") as f:
        header = f.read(72)
    assert header[:16] == b"SQLite format 3\0"
    return int.from_bytes(header[68:72], "big")


def _new_run(tmp_path, name="typed.attnrun"):
    path = str(tmp_path / name)
    with RunWriter.create(path, spec=attnscope.run_spec(name="typed")) as writer:
        writer.append_step(1, 2.5)
    return path


def test_new_files_carry_the_application_id_and_old_ones_still_open(tmp_path):
    path = _new_run(tmp_path)
    assert _application_id(path) == APPLICATION_ID
    con = sqlite3.connect(path)
    con.execute("PRAGMA application_id = 0")
    con.close()
    assert _application_id(path) == 0
    with attnscope.open_run(path) as run:
        assert list(run.steps()["step"]) == [1]


def test_the_mime_type_and_magic_files_use_the_writers_id():
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    mime = ET.parse(MIME_XML).getroot().find("m:mime-type", ns)
    assert mime.get("type") == "application/x-attnscope-run"
    assert [g.get("pattern") for g in mime.findall("m:glob", ns)] == ["*.attnrun"]
    inner = mime.find("m:magic/m:match/m:match", ns)
    assert inner.get("type") == "big32" and inner.get("offset") == "68"
    assert int(inner.get("value"), 16) == APPLICATION_ID
    with open(MAGIC) as f:
        assert f"belong\t{APPLICATION_ID:#x}" in f.read()


@pytest.mark.skipif(shutil.which("file") is None, reason="file(1) is not installed")
def test_libmagic_tells_runs_from_other_sqlite_files(tmp_path):
    run = _new_run(tmp_path)
    other = str(tmp_path / "other.sqlite")
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    def mime(path):
        return subprocess.run(["file", "-b", "--mime-type", "-m", MAGIC, path], capture_output=True, text=True,
                              check=True).stdout.strip()
    assert mime(run) == "application/x-attnscope-run"
    assert mime(other) != "application/x-attnscope-run"
