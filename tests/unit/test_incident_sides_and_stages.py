"""Sides of parties (independence of sources) and the incident stage machine."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from ceasefire.incidents.sides import assign_sides, side_of
from ceasefire.incidents.stages import allowed_moves, check_transition
from ceasefire.kernel.claims import Stage
from ceasefire.kernel.errors import Conflict, Invalid
from ceasefire.parties.rules import Edge

RELATIONS = [
    Edge("mod-spokesman", "spokesperson_of", "russian-mod"),
    Edge("russian-mod", "part_of", "russia"),
    Edge("syria", "allied_with", "russia"),
    Edge("sohr", "allied_with", "opposition"),
    Edge("ose", "part_of", "un"),
    Edge("ahrar", "intermingled_with", "nusra"),
    Edge("nusra", "part_of", "al-qaeda", valid_to=date(2016, 7, 27)),
]


def test_spokesman_ministry_state_and_ally_are_one_side() -> None:
    sides = assign_sides(["mod-spokesman", "russian-mod", "russia", "syria"], RELATIONS)
    assert set(sides.values()) == {"mod-spokesman"}  # named by the smallest id of the group


def test_neutral_parties_are_not_joined_by_alliances_but_by_membership() -> None:
    neutral = {"sohr", "ose", "un"}
    sides = assign_sides(["sohr", "opposition", "ose", "un"], RELATIONS, neutral=neutral)
    assert sides["sohr"] == "sohr"
    assert sides["opposition"] == "opposition"
    assert sides["ose"] == sides["un"]


def test_intermingling_does_not_make_one_side_and_dated_relations_lapse() -> None:
    assert side_of("ahrar", RELATIONS) == "ahrar"
    assert side_of("nusra", RELATIONS, on=date(2016, 3, 1)) == "al-qaeda"
    assert side_of("nusra", RELATIONS, on=date(2016, 9, 1)) == "nusra"


def test_a_party_without_relations_is_its_own_side() -> None:
    assert side_of("lonely", []) == "lonely"


@pytest.mark.parametrize(
    "path",
    [
        [Stage.NEW, Stage.TRIAGE, Stage.VERIFICATION, Stage.DETERMINATION, Stage.LIAISON, Stage.CLOSED],
        [Stage.NEW, Stage.TRIAGE, Stage.VERIFICATION, Stage.DETERMINATION, Stage.CLOSED],
    ],
)
def test_forward_paths_need_no_reason(path: list[Stage]) -> None:
    for current, to in itertools.pairwise(path):
        check_transition(current, to, None)


def test_skipping_a_stage_is_an_invalid_transition_naming_from_and_to() -> None:
    with pytest.raises(Conflict) as caught:
        check_transition(Stage.NEW, Stage.DETERMINATION, "in a hurry")
    assert caught.value.code == "invalid_transition"
    assert caught.value.details["from"] == "new"
    assert caught.value.details["to"] == "determination"
    assert "triage" in caught.value.details["allowed"]


def test_backward_moves_reopenings_and_dismissals_need_a_reason() -> None:
    for current, to in [
        (Stage.VERIFICATION, Stage.TRIAGE),
        (Stage.CLOSED, Stage.VERIFICATION),
        (Stage.DISMISSED, Stage.TRIAGE),
        (Stage.LIAISON, Stage.DISMISSED),
        (Stage.NEW, Stage.MERGED),
    ]:
        with pytest.raises(Invalid) as caught:
            check_transition(current, to, "  ")
        assert caught.value.code == "reason_required"
        check_transition(current, to, "new evidence")


def test_merged_is_final_and_closed_can_only_be_reopened() -> None:
    assert allowed_moves(Stage.MERGED) == frozenset()
    assert allowed_moves(Stage.CLOSED) == frozenset({Stage.VERIFICATION})
    with pytest.raises(Conflict):
        check_transition(Stage.CLOSED, Stage.DISMISSED, "no")
    with pytest.raises(Conflict):
        check_transition(Stage.TRIAGE, Stage.TRIAGE, "again")
