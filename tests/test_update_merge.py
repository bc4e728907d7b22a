"""The three-way decision of `scaffold update` for each file (`update.merge.plan`)."""

from __future__ import annotations

from generator.update.merge import Step, plan

OLD, NEW, MINE = b"generated v1\n", b"generated v2\n", b"edited by the user\n"


def steps(base: dict[str, bytes], ours: dict[str, bytes | None], theirs: dict[str, bytes]) -> dict[str, Step]:
    return {step.path: step for step in plan(base, ours, theirs)}


def test_a_file_the_generation_did_not_change_is_left_alone_edited_or_deleted() -> None:
    assert steps({"a": OLD, "b": OLD}, {"a": MINE, "b": None}, {"a": OLD, "b": OLD}) == {}


def test_an_untouched_file_takes_the_new_generation() -> None:
    assert steps({"a": OLD}, {"a": OLD}, {"a": NEW}) == {"a": Step("a", "write", NEW)}


def test_a_file_changed_on_both_sides_is_merged_from_the_previous_generation() -> None:
    assert steps({"a": OLD}, {"a": MINE}, {"a": NEW}) == {"a": Step("a", "merge", NEW, OLD)}


def test_the_same_change_on_both_sides_is_no_change() -> None:
    assert steps({"a": OLD}, {"a": NEW}, {"a": NEW}) == {}


def test_a_new_generated_file_is_written_and_one_the_user_made_too_is_merged() -> None:
    assert steps({}, {"a": None}, {"a": NEW}) == {"a": Step("a", "write", NEW)}
    assert steps({}, {"a": MINE}, {"a": NEW}) == {"a": Step("a", "merge", NEW, b"")}


def test_a_removed_file_is_deleted_when_untouched_and_kept_as_a_conflict_when_edited() -> None:
    assert steps({"a": OLD}, {"a": OLD}, {}) == {"a": Step("a", "delete")}
    assert steps({"a": OLD}, {"a": MINE}, {}) == {"a": Step("a", "conflict-kept")}
    assert steps({"a": OLD}, {"a": None}, {}) == {}


def test_a_file_the_user_deleted_comes_back_as_a_conflict_when_the_generation_changes_it() -> None:
    assert steps({"a": OLD}, {"a": None}, {"a": NEW}) == {"a": Step("a", "conflict-deleted", NEW)}


def test_files_outside_both_generations_are_never_planned() -> None:
    assert steps({"a": OLD}, {"a": OLD, "mine.py": MINE}, {"a": OLD}) == {}
