"""The pabulib reader and writer: every shared file, hand-written edge cases, and malformed files."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbvote.core.errors import PabulibError
from pbvote.core.pabulib import parse_pabulib_bytes, parse_pabulib_text, read_pabulib, write_pabulib
from pbvote.core.pabulib.fast import build_frozen
from pbvote.core.types import Ballot, BallotKind, Election, Project, Voter
from tests.core.conftest import pabulib_files, require_pabulib

SHARED_FILES = [path.name for path in pabulib_files()] or ["<missing>"]


@functools.cache
def shared(name: str) -> Election:
    """Read a shared file once per test run (the big ones take a few tenths of a second)."""
    return read_pabulib(require_pabulib() / name)


def election_text(*lines: str, newline: str = "\n") -> str:
    return newline.join(lines) + newline


SMALL = election_text(
    "META",
    "key;value",
    "description;A small test",
    "num_projects;3",
    "num_votes;3",
    "budget;1000.5",
    "vote_type;approval",
    "min_project_score_threshold;2",
    'comment;"He said ""hi""; then left"',
    "PROJECTS",
    "project_id;cost;name;category;district;latitude;longitude;selected",
    'p1;500;"Park; with benches";green, culture;North;55.5;12.25;1',
    "p2;250.25;Library;;South;;;0",
    "p3;300;Bench;sport;North;none;none;2",
    "VOTES",
    "voter_id;vote;age;sex",
    "v1;p2,p1;31;F",
    "v2;p3;45;M",
    "v3;;;",
)


# ---------------------------------------------------------------- every shared file


@pytest.mark.parametrize("name", SHARED_FILES)
def test_read_pabulib_counts_match_meta(name: str) -> None:
    election = shared(name)
    assert len(election.projects) == int(election.meta["num_projects"])
    assert len(election.voters) == int(election.meta["num_votes"])
    assert election.budget > 0
    assert election.vote_type == election.meta["vote_type"]
    assert election.project_columns[:2] == ("project_id", "cost")
    assert {"voter_id", "vote"} <= set(election.vote_columns)


@pytest.mark.parametrize("name", SHARED_FILES)
def test_write_pabulib_round_trips_shared_file(name: str) -> None:
    election = shared(name)
    text = write_pabulib(election)
    again = parse_pabulib_text(text)
    assert again == election
    assert write_pabulib(again) == text
    assert "\r" not in text


@pytest.mark.parametrize("name", SHARED_FILES)
def test_read_pabulib_keeps_every_column_and_meta_key(name: str) -> None:
    election = shared(name)
    path = require_pabulib() / name
    lines = path.read_text("utf-8").splitlines()
    meta_keys = [line.split(";", 1)[0] for line in lines[2 : lines.index("PROJECTS")]]
    assert list(election.meta) == meta_keys
    assert all(tuple(project.fields) == election.project_columns for project in election.projects)
    extra = [column for column in election.vote_columns if column not in ("voter_id", "vote", "points")]
    assert all(list(voter.fields) == extra for voter in election.voters[:50])


@pytest.mark.parametrize("name", SHARED_FILES)
def test_read_pabulib_ballots_name_known_projects_once(name: str) -> None:
    election = shared(name)
    ids = {project.id for project in election.projects}
    for ballot in election.profile().ballots:
        assert set(ballot.projects) <= ids
        assert len(set(ballot.projects)) == len(ballot.projects)
        if election.kind is BallotKind.CUMULATIVE:
            assert len(ballot.points) == len(ballot.projects)
        else:
            assert ballot.points == ()
        if election.kind is BallotKind.APPROVAL:
            assert list(ballot.projects) == sorted(ballot.projects)


def test_read_pabulib_decimal_budget_is_exact() -> None:
    election = shared("Poland_Krakow_2024_Nowa_Huta.pb")
    assert election.budget == 300958574
    assert election.scale == 100
    assert Fraction(election.budget, election.scale) == Fraction("3009585.74")
    project = next(project for project in election.projects if project.id == "BO.D18.41/24")
    assert project.cost == 979000 * 100
    assert election.kind is BallotKind.RANKED


def test_read_pabulib_decimal_costs_set_the_scale() -> None:
    election = shared("France_Toulouse_2024.pb")  # costs written like 100000.0
    assert election.scale == 10
    assert election.budget == 8_000_000 * 10
    assert write_pabulib(election).count(";100000.0;") == (
        require_pabulib() / "France_Toulouse_2024.pb"
    ).read_text("utf-8").count(";100000.0;")


def test_read_pabulib_quoted_name_with_semicolon() -> None:
    election = shared("Poland_Gdansk_2020_Stogi.pb")
    project = next(project for project in election.projects if project.id == "4")
    assert project.name == "4 Stogi Pusty Staw; sport, rekreacja, wypoczynek"
    assert '"4 Stogi Pusty Staw; sport, rekreacja, wypoczynek"' in write_pabulib(election)


def test_read_pabulib_doubled_quotes_in_meta() -> None:
    election = shared("Poland_Gdynia_2021_Maly_Kack__small.pb")
    assert 'Gdynia\'s "Projekt +1" rule' in election.meta["comment"]
    assert election.threshold == 50
    assert '""Projekt +1""' in write_pabulib(election)


def test_read_pabulib_keeps_withdrawn_project_and_selected() -> None:
    election = shared("Poland_Katowice_2024_Murcki.pb")
    withdrawn = next(project for project in election.projects if project.id == "L18/06/XI")
    assert withdrawn.cost == 999999999
    assert withdrawn.fields["selected"] == "0"
    assert withdrawn.category == ("education",)


def test_read_pabulib_cumulative_points_parallel_and_sorted() -> None:
    election = shared("Poland_Katowice_2024_Murcki.pb")
    voter = next(voter for voter in election.voters if voter.id == "1400184545")  # L18/06/XI,L18/08/XI;2,1
    assert voter.ballot == Ballot(("L18/06/XI", "L18/08/XI"), (2, 1))
    assert voter.fields == {"age": "43", "sex": "F"}
    assert election.kind is BallotKind.CUMULATIVE


def test_read_pabulib_cumulative_sorts_points_with_their_projects() -> None:
    election = shared("Poland_Gdansk_2020_Stogi.pb")
    voter = next(voter for voter in election.voters if voter.id == "223")  # 7,4,8;2,2,1
    assert voter.ballot == Ballot(("4", "7", "8"), (2, 2, 1))
    voter = next(voter for voter in election.voters if voter.id == "516")  # 4,7,2;2,2,1
    assert voter.ballot == Ballot(("2", "4", "7"), (1, 2, 2))


def test_read_pabulib_ordinal_keeps_best_first() -> None:
    election = shared("Poland_Krakow_2024.pb")
    first = election.voters[0]
    assert first == Voter(
        "1",
        Ballot(("BO.OM.63/24", "BO.OM.81/24", "BO.OM.178/24")),
        {"age": "18", "sex": "F", "neighborhood": "Podgórze"},
    )
    assert election.vote_columns == ("voter_id", "vote", "age", "sex", "neighborhood")


def test_read_pabulib_choose_one_is_approval_of_one() -> None:
    election = shared("Poland_Wroclaw_2015_150_-_500.pb")
    assert election.kind is BallotKind.APPROVAL
    assert election.vote_type == "choose-1"
    assert {len(ballot.projects) for ballot in election.profile().ballots} == {1}
    assert election.voters[0].fields == {"age": "26", "sex": "M", "voting_method": "internet", "district": ""}


def test_read_pabulib_coordinates_and_extra_vote_columns() -> None:
    election = shared("Poland_Katowice_2020.pb")
    project = next(project for project in election.projects if project.id == "M/66/VII")
    assert project.coordinates == (50.278376755120846, 18.972589373588562)
    assert election.voters[0].fields == {"age": "27", "sex": "M", "district": "LIGOTA - PANEWNIKI"}
    assert election.threshold == 200


def test_read_pabulib_category_list_and_district_column() -> None:
    election = shared("Switzerland_Zurich_SN.pb")
    assert all(project.district == project.fields["district"] for project in election.projects)
    assert any(project.district for project in election.projects)


# ---------------------------------------------------------------- hand-written files


def test_parse_pabulib_text_reads_every_detail() -> None:
    election = parse_pabulib_text(SMALL)
    assert election.scale == 100
    assert election.budget == 100050
    assert election.threshold == 2
    assert election.meta["comment"] == 'He said "hi"; then left'
    p1, p2, p3 = election.projects
    assert p1 == Project("p1", 50000, "Park; with benches", ("green", "culture"), "North", (55.5, 12.25))
    assert p1.fields["selected"] == "1"
    assert p2 == Project("p2", 25025, "Library", (), "South", None)
    assert p3.coordinates is None
    assert [voter.ballot for voter in election.voters] == [Ballot(("p1", "p2")), Ballot(("p3",)), Ballot(())]
    assert election.voters[2].fields == {"age": "", "sex": ""}
    assert election.kind is BallotKind.APPROVAL


def test_parse_pabulib_text_crlf_equals_lf() -> None:
    crlf = SMALL.replace("\n", "\r\n")
    assert parse_pabulib_text(crlf) == parse_pabulib_text(SMALL)


def test_parse_pabulib_text_lone_cr_line_endings() -> None:
    assert parse_pabulib_text(SMALL.replace("\n", "\r")) == parse_pabulib_text(SMALL)


def test_parse_pabulib_text_quoted_votes_section() -> None:
    quoted = SMALL.replace("v2;p3;45;M", 'v2;"p3";45;"M; or so"')
    election = parse_pabulib_text(quoted)
    assert election.voters[1] == Voter("v2", Ballot(("p3",)), {"age": "45", "sex": "M; or so"})
    assert parse_pabulib_text(write_pabulib(election)) == election


def test_parse_pabulib_text_skips_blank_lines_and_bom() -> None:
    spaced = "\ufeff" + SMALL.replace("VOTES\n", "VOTES\n\n").replace("v2;p3", "\n  \nv2;p3") + "\n\n"
    assert parse_pabulib_text(spaced) == parse_pabulib_text(SMALL)


def test_parse_pabulib_text_votes_columns_in_any_order() -> None:
    moved = SMALL.replace("voter_id;vote;age;sex", "age;vote;sex;voter_id")
    moved = moved.replace("v1;p2,p1;31;F", "31;p2,p1;F;v1").replace("v2;p3;45;M", "45;p3;M;v2")
    moved = moved.replace("v3;;;", ";;;v3")
    election = parse_pabulib_text(moved)
    assert [voter.id for voter in election.voters] == ["v1", "v2", "v3"]
    assert election.voters[0].fields == {"age": "31", "sex": "F"}
    assert parse_pabulib_text(write_pabulib(election)) == election


def test_parse_pabulib_text_strips_spaces_in_votes() -> None:
    election = parse_pabulib_text(SMALL.replace("v1;p2,p1;", "v1; p2 , p1;"))
    assert election.voters[0].ballot == Ballot(("p1", "p2"))


def test_parse_pabulib_text_ordinal_and_cumulative_and_scoring() -> None:
    ordinal = SMALL.replace("vote_type;approval", "vote_type;ordinal")
    assert parse_pabulib_text(ordinal).voters[0].ballot == Ballot(("p2", "p1"))
    cumulative = election_text(
        "META",
        "key;value",
        "budget;10",
        "vote_type;cumulative",
        "PROJECTS",
        "project_id;cost",
        "a;5",
        "b;5",
        "VOTES",
        "voter_id;vote;points",
        "1;b,a;3,0",
        "2;;",
    )
    election = parse_pabulib_text(cumulative)
    assert [voter.ballot for voter in election.voters] == [Ballot(("a", "b"), (0, 3)), Ballot(())]
    scoring = cumulative.replace("cumulative", "scoring").replace("3,0", "-2,1")
    election = parse_pabulib_text(scoring)
    assert election.kind is BallotKind.CUMULATIVE
    assert election.voters[0].ballot == Ballot(("a", "b"), (1, -2))
    assert parse_pabulib_text(write_pabulib(election)) == election


def test_read_pabulib_reads_path_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "small.pb"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.replace("\n", "\r\n").encode())
    assert read_pabulib(path) == parse_pabulib_text(SMALL)
    assert read_pabulib(str(path)) == parse_pabulib_bytes(SMALL.encode())


def test_write_pabulib_round_trips_small_file() -> None:
    election = parse_pabulib_text(SMALL)
    text = write_pabulib(election)
    assert parse_pabulib_text(text) == election
    assert "budget;1000.5\n" in text
    assert "p2;250.25;" in text
    assert '"Park; with benches"' in text


def test_write_pabulib_brings_changed_values_in_line() -> None:
    election = parse_pabulib_text(SMALL)
    changed = Election(
        meta=election.meta,
        projects=(Project("p1", 12345, "Moved", ("x",), "", (1.5, 2.5)), *election.projects[1:]),
        voters=election.voters[:2],
        budget=200000,
        kind=election.kind,
        vote_type=election.vote_type,
        scale=100,
        threshold=None,
        project_columns=election.project_columns,
        vote_columns=election.vote_columns,
    )
    again = parse_pabulib_text(write_pabulib(changed))
    assert again.projects == changed.projects
    assert again.budget == 200000
    assert again.scale == 100
    assert again.threshold is None
    assert again.meta["budget"] == "2000.00"
    assert again.meta["num_votes"] == "2"
    assert "min_project_score_threshold" not in again.meta


def test_write_pabulib_election_built_by_hand() -> None:
    election = Election(
        meta={},
        projects=(Project("a", 150, "A", ("green",), "North"), Project("b", 200)),
        voters=(Voter("1", Ballot(("a", "b"), (2, 1))), Voter("2", Ballot(("b",), (3,)), {"age": "40"})),
        budget=300,
        kind=BallotKind.CUMULATIVE,
        vote_type="",
        scale=10,
    )
    again = parse_pabulib_text(write_pabulib(election))
    assert again.projects == election.projects
    assert again.voters == (Voter("1", Ballot(("a", "b"), (2, 1)), {"age": ""}), election.voters[1])
    assert (again.budget, again.scale, again.vote_type) == (300, 10, "cumulative")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"vote_type": "plurality"}, "vote_type 'plurality'"),
        ({"vote_type": "ordinal"}, "cannot carry approval"),
        ({"projects": (Project("a,b", 1),)}, "holds a comma"),
        ({"scale": 3}, "power of ten"),
    ],
)
def test_write_pabulib_refuses_what_cannot_be_read_back(change: dict[str, object], fragment: str) -> None:
    election = parse_pabulib_text(SMALL)
    fields = {name: getattr(election, name) for name in Election.__dataclass_fields__}
    with pytest.raises(ValueError, match=fragment):
        write_pabulib(Election(**{**fields, **change}))  # type: ignore[arg-type]


ids = st.text(alphabet="abcXYZ019/._-", min_size=1, max_size=6)
VOTE_TYPES = {"approval": "approval", "knapsack": "approval", "cumulative": "cumulative", "ranked": "ordinal"}
cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@st.composite
def elections(draw: st.DrawFn) -> Election:
    kind = draw(st.sampled_from(list(BallotKind)))
    decimals = draw(st.integers(0, 3))
    project_ids = draw(st.lists(ids, min_size=1, max_size=5, unique=True))
    projects = tuple(
        Project(project_id, draw(st.integers(0, 10**9)), draw(cells)) for project_id in project_ids
    )
    voters = []
    for number in range(draw(st.integers(0, 6))):
        chosen = draw(st.lists(st.sampled_from(project_ids), unique=True, max_size=len(project_ids)))
        if kind is BallotKind.CUMULATIVE:
            pairs = sorted((project_id, draw(st.integers(0, 9))) for project_id in chosen)
            ballot = Ballot(tuple(p for p, _ in pairs), tuple(v for _, v in pairs))
        else:
            ballot = Ballot(tuple(chosen if kind is BallotKind.RANKED else sorted(chosen)))
        voters.append(Voter(f"v{number}", ballot, {"note": draw(cells)}))
    return Election(
        meta={"description": draw(cells), "budget": "", "vote_type": ""},
        projects=projects,
        voters=tuple(voters),
        budget=draw(st.integers(1, 10**12)),
        kind=BallotKind.APPROVAL if kind is BallotKind.KNAPSACK else kind,
        vote_type=VOTE_TYPES[kind.value],
        scale=10**decimals,
        project_columns=("project_id", "cost", "name"),
        vote_columns=("voter_id", "vote", "points", "note")
        if kind is BallotKind.CUMULATIVE
        else ("voter_id", "vote", "note"),
    )


@settings(max_examples=150, deadline=None)
@given(elections())
def test_write_pabulib_round_trips_random_elections(election: Election) -> None:
    again = parse_pabulib_text(write_pabulib(election))
    assert again.projects == election.projects
    assert again.voters == election.voters
    assert (again.budget, again.scale, again.kind) == (election.budget, election.scale, election.kind)
    assert parse_pabulib_text(write_pabulib(again)) == again


# ---------------------------------------------------------------- malformed files


def _replace(old: str, new: str) -> str:
    assert old in SMALL
    return SMALL.replace(old, new)


MALFORMED = [
    ("", 1, "empty"),
    ("  \n\n", 1, "empty"),
    (SMALL.replace("META\n", "", 1), 1, "section title META"),
    ("PROJECTS\n" + SMALL, 1, "missing section META"),
    (SMALL.replace("PROJECTS\n", "EXTRAS\nPROJECTS\n"), 10, "unknown section 'EXTRAS'"),
    (SMALL.split("VOTES")[0], 14, "missing section VOTES"),
    (SMALL.split("PROJECTS")[0], 9, "missing section PROJECTS"),
    (_replace("num_votes;3", "num_votes;3;x"), 5, "wrong number of fields in META: 3, expected 2"),
    (
        _replace("p2;250.25;Library;;South;;;0", "p2;250.25;Library;;South;;0"),
        13,
        "wrong number of fields in PROJECTS",
    ),
    (_replace("v2;p3;45;M", "v2;p3;45"), 18, "wrong number of fields in VOTES: 3, expected 4"),
    (_replace("v2;p3;45;M", "v2;p3;45;M;x"), 18, "wrong number of fields in VOTES: 5, expected 4"),
    (_replace("v2;p3;45;M", "v2;p9;45;M"), 18, "project 'p9', which is not in PROJECTS"),
    (_replace("v1;p2,p1;", "v1;p2,p2;"), 17, "names project 'p2' twice"),
    (_replace("p3;300;", "p3;3e2;"), 14, "cost '3e2' is not a non-negative number"),
    (_replace("p3;300;", "p3;-300;"), 14, "cost '-300'"),
    (_replace("p3;300;", "p1;300;"), 14, "project_id 'p1' appears twice"),
    (_replace("v2;p3", "v1;p3"), 18, "voter_id 'v1' appears twice"),
    (_replace("vote_type;approval", "vote_type;plurality"), 7, "unknown vote_type 'plurality'"),
    (_replace("budget;1000.5\n", ""), 1, "META has no budget"),
    (_replace("budget;1000.5", "budget;lots"), 6, "budget 'lots'"),
    (_replace("min_project_score_threshold;2", "min_project_score_threshold;2.5"), 8, "not a whole number"),
    (_replace("project_id;cost;", "project_id;price;"), 11, "no cost column"),
    (_replace("voter_id;vote;age;sex", "voter_id;votes;age;sex"), 16, "no vote column"),
    (_replace("voter_id;vote;age;sex", "voter_id;vote;age;age"), 16, "column 'age' appears twice"),
    (_replace("META\nkey;value", "META\nkey;value;more"), 2, "two columns"),
    (_replace('"Park; with benches"', '"Park; with benches'), 12, "malformed CSV"),
    (_replace('"Park; with benches"', '"Park" x'), 12, "malformed CSV"),
    (_replace("v3;;;", 'v3;"";"oops'), 19, "malformed CSV"),
    (_replace("vote_type;approval", "vote_type;choose-1"), 17, "a choose-1 vote names 2 projects"),
    (_replace("v1;p2,p1;", "v1;p2,,p1;"), 17, "project ''"),
    (_replace("p3;300;", ";300;"), 14, "project_id '' is empty or holds a comma"),
    (_replace("v3;;;", ";;;"), 19, "voter_id '' is empty"),
    (SMALL + "META\n", 20, "section META out of place"),
    (SMALL + "PROJECTS;;;\n", 20, "section PROJECTS out of place"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), MALFORMED)
def test_parse_pabulib_text_names_line_of_fault(text: str, line: int, fragment: str) -> None:
    with pytest.raises(PabulibError) as caught:
        parse_pabulib_text(text)
    assert caught.value.line == line
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(f"line {line}: ")
    assert "\n" not in str(caught.value)


CUMULATIVE = election_text(
    "META",
    "key;value",
    "budget;10",
    "vote_type;cumulative",
    "PROJECTS",
    "project_id;cost",
    "a;5",
    "b;5",
    "VOTES",
    "voter_id;vote;points;age",
    "1;a,b;2,1;30",
    "2;b;3;40",
)


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("2;b;3;", "2;b;3,1;", "names 1 projects but points has 2 values"),
        ("2;b;3;", "2;a,b;3;", "names 2 projects but points has 1 values"),
        ("2;b;3;", "2;b;1.5;", "points '1.5' are not a comma list of non-negative whole numbers"),
        ("2;b;3;", "2;b;-3;", "points '-3'"),
        ("2;b;3;", "2;b;;", "points ''"),
        ("voter_id;vote;points;age", "voter_id;vote;score;age", "no points column"),
    ],
)
def test_parse_pabulib_text_refuses_bad_points(old: str, new: str, fragment: str) -> None:
    text = CUMULATIVE.replace(old, new)
    with pytest.raises(PabulibError, match=r"line 1[02]: ") as caught:
        parse_pabulib_text(text)
    assert fragment in str(caught.value)


def test_parse_pabulib_text_line_counts_multiline_quoted_cells() -> None:
    text = SMALL.replace("description;A small test", 'description;"A small\ntest"')
    text = text.replace("v2;p3;45;M", "v2;p9;45;M")
    with pytest.raises(PabulibError) as caught:
        parse_pabulib_text(text)
    assert caught.value.line == 19


def test_parse_pabulib_text_line_counts_blank_lines_in_votes() -> None:
    text = SMALL.replace("v2;p3;45;M", "\n\nv2;p9;45;M")
    with pytest.raises(PabulibError) as caught:
        parse_pabulib_text(text)
    assert caught.value.line == 20


def test_parse_pabulib_bytes_names_line_of_bad_utf8() -> None:
    data = SMALL.encode().replace(b"Library", b"Libr\xe6ry")
    with pytest.raises(PabulibError, match=r"^line 13: bytes b'\\xe6' are not valid UTF-8 \[upload.pb\]$"):
        parse_pabulib_bytes(data, source="upload.pb")


def test_read_pabulib_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.pb"
    path.write_text(SMALL.replace("v2;p3", "v2;p9"), "utf-8")
    with pytest.raises(PabulibError, match=r"^line 18: .* \[broken.pb\]$"):
        read_pabulib(path)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('META\nPROJECTSVOTES;"key,value budget vote_type 1.5\r')), max_size=200
    )
)
def test_parse_pabulib_text_fails_cleanly_on_garbage(text: str) -> None:
    failure: PabulibError | None = None
    try:
        parse_pabulib_text(text)
    except PabulibError as error:
        failure = error
    if failure is not None:
        assert failure.line is None or failure.line >= 1
        assert "\n" not in str(failure)


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("p3;300;", "p3;" + "9" * 5000 + ";", "cost '999"),
        ("budget;1000.5", "budget;1." + "5" * 40, "budget '1.555"),
        ("min_project_score_threshold;2", "min_project_score_threshold;" + "7" * 5000, "not a whole number"),
    ],
)
def test_parse_pabulib_text_refuses_absurdly_long_numbers(old: str, new: str, fragment: str) -> None:
    with pytest.raises(PabulibError, match=fragment):
        parse_pabulib_text(_replace(old, new))


def test_parse_pabulib_text_refuses_absurdly_long_points() -> None:
    with pytest.raises(PabulibError, match="line 12: points '999"):
        parse_pabulib_text(CUMULATIVE.replace("2;b;3;", "2;b;" + "9" * 5000 + ";"))


def test_build_frozen_equals_the_constructor() -> None:
    ballots = build_frozen(Ballot, 2, projects=[("a",), ("b", "c")], points=[(), (1, 2)])
    assert ballots == (Ballot(("a",)), Ballot(("b", "c"), (1, 2)))
    assert hash(ballots[1]) == hash(Ballot(("b", "c"), (1, 2)))
    voters = build_frozen(Voter, 1, id=["v"], ballot=[ballots[0]], fields=[{"age": "3"}])
    assert voters == (Voter("v", Ballot(("a",)), {"age": "3"}),)
    with pytest.raises(ValueError, match="needs exactly the fields"):
        build_frozen(Ballot, 1, projects=[()])


def test_build_frozen_falls_back_for_classes_without_slots() -> None:
    @dataclass(frozen=True)
    class Plain:
        x: int
        y: str

    assert build_frozen(Plain, 2, x=[1, 2], y=["a", "b"]) == (Plain(1, "a"), Plain(2, "b"))
