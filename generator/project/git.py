"""The git commands scaffold runs: the one place a process named `git` is started.

scaffold never writes a merge algorithm of its own: trees are hashed and stored by git, and
each file is merged by `git merge-file`, the same three-way merge `git merge` runs.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import GenerationError

# Commits scaffold makes itself (the pristine generations, the first commit of `new`) need an
# author even on a machine where git has none configured.
IDENTITY = {
    "GIT_AUTHOR_NAME": "scaffold",
    "GIT_AUTHOR_EMAIL": "scaffold@localhost",
    "GIT_COMMITTER_NAME": "scaffold",
    "GIT_COMMITTER_EMAIL": "scaffold@localhost",
}


def git(*args: str, cwd: Path, env: dict[str, str] | None = None, input_: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, env={**os.environ, **(env or {})}, input=input_, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise GenerationError("git is not installed: scaffold needs it to record and merge generations") from None
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise GenerationError(f"git {' '.join(args[:2])} failed: {message}")
    return result.stdout


def toplevel(path: Path) -> Path | None:
    """The root of the work tree `path` is in, or None outside any repository."""
    result = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=path, capture_output=True, text=True, check=False
    )
    return Path(result.stdout.strip()).resolve() if result.returncode == 0 else None


def init(path: Path) -> None:
    git("init", "--quiet", cwd=path)


def commit_all(path: Path, message: str) -> None:
    git("add", "--all", cwd=path)
    git("commit", "--quiet", "--no-verify", "-m", message, cwd=path, env=_identity(path))


def changed_paths(project: Path) -> list[str]:
    """Paths under `project` (relative to it) with uncommitted changes, untracked files included."""
    out = git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".", cwd=project)
    prefix = git("rev-parse", "--show-prefix", cwd=project).decode().strip()
    entries = out.decode().split("\0")
    paths: list[str] = []
    skip = False
    for entry in entries:
        if skip or not entry:
            skip = False
            continue
        status, path = entry[:2], entry[3:]
        skip = "R" in status or "C" in status  # a rename's second field is its source
        paths.append(path.removeprefix(prefix))
    return paths


def store_tree(files: dict[str, bytes], repository: Path) -> str:
    """Write `files` (relative path -> content) as a tree of the repository's object store."""
    paths = sorted(files)
    with tempfile.TemporaryDirectory() as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        copies = []
        for number, path in enumerate(paths):  # one process hashes every file
            copy = Path(scratch) / f"{number}"
            copy.write_bytes(files[path])
            copies.append(str(copy))
        listed = "\n".join(copies).encode() + b"\n"
        blobs = git("hash-object", "-w", "--no-filters", "--stdin-paths", cwd=repository, input_=listed).split()
        lines = [f"100644 {blob.decode()}\t{path}" for blob, path in zip(blobs, paths, strict=True)]
        git("update-index", "--add", "--index-info", cwd=repository, env=env, input_="\n".join(lines).encode() + b"\n")
        return git("write-tree", cwd=repository, env=env).decode().strip()


def record_pristine(tree: str, ref: str, message: str, repository: Path) -> str:
    """Commit `tree` on `ref` (a branch of pristine generations), after its previous commit."""
    parent = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", ref], cwd=repository, capture_output=True, text=True, check=False
    ).stdout.strip()
    args = ["commit-tree", tree, "-m", message, *(["-p", parent] if parent else [])]
    commit = git(*args, cwd=repository, env=IDENTITY).decode().strip()
    git("update-ref", ref, commit, cwd=repository)
    return commit


def has_object(name: str, repository: Path) -> bool:
    result = subprocess.run(["git", "cat-file", "-e", name], cwd=repository, capture_output=True, check=False)
    return result.returncode == 0


def tree_files(tree: str, repository: Path) -> dict[str, bytes]:
    """Every file of a stored tree, by path."""
    listing = git("ls-tree", "-r", "-z", tree, cwd=repository).decode().split("\0")
    entries = [entry.split("\t", 1) for entry in listing if entry]
    request = "".join(meta.split()[2] + "\n" for meta, _ in entries).encode()
    out = git("cat-file", "--batch", cwd=repository, input_=request)  # one process reads every blob
    files: dict[str, bytes] = {}
    offset = 0
    for _, path in entries:
        header_end = out.index(b"\n", offset)
        size = int(out[offset:header_end].split()[2])
        files[path] = out[header_end + 1 : header_end + 1 + size]
        offset = header_end + 1 + size + 1
    return files


@dataclass(frozen=True)
class Merged:
    content: bytes
    conflicts: int


def merge_file(ours: bytes, base: bytes, theirs: bytes, *, cwd: Path) -> Merged:
    """`git merge-file`: the three-way merge of one file, with conflict markers where both changed."""
    with tempfile.TemporaryDirectory() as scratch:
        names = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(scratch) / name
            path.write_bytes(content)
            names.append(str(path))
        labels = ["-L", "yours", "-L", "previous generation", "-L", "new generation"]
        result = subprocess.run(["git", "merge-file", "-p", *labels, *names], cwd=cwd, capture_output=True, check=False)
    if result.returncode < 0 or result.returncode > 127:
        raise GenerationError(f"git merge-file failed: {result.stderr.decode(errors='replace').strip()}")
    return Merged(result.stdout, result.returncode)


def _identity(path: Path) -> dict[str, str]:
    """scaffold's identity where git has none configured; the user's own otherwise."""
    configured = subprocess.run(["git", "config", "user.email"], cwd=path, capture_output=True, check=False)
    return {} if configured.returncode == 0 and configured.stdout.strip() else IDENTITY
