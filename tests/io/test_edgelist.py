from __future__ import annotations

import string
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import InputFormatError
from reach.io.edgelist import GENERIC_HEADER, HEADER_NAMES, read_edgelist
from reach.io.formats import detect_format


def _edges(parsed) -> list[tuple[str, str]]:
    rec = pl.from_arrow(parsed.records).select("record_id", "key")
    it = pl.from_arrow(parsed.interactions)
    it = (
        it.join(rec.rename({"record_id": "src_record", "key": "a"}), on="src_record")
        .join(rec.rename({"record_id": "dst_record", "key": "b"}), on="dst_record")
        .sort("line")
    )
    return list(zip(it["a"].to_list(), it["b"].to_list(), strict=True))


def _oracle_lines(path: Path) -> list[list[str]]:
    """Independent reading: Python's own text splitting, line by line."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(line.split())
    return rows


def test_email_eu_core_crlf_no_final_newline(shared_data):
    path = shared_data / "snap_email_eu_core" / "email-Eu-core.txt"
    assert detect_format(path).name == "edgelist"
    parsed = read_edgelist(path)
    rows = _oracle_lines(path)
    assert parsed.n_rows == len(rows) == 25571
    loops = sum(1 for a, b in rows if a == b)
    assert parsed.interactions.num_rows == 25571 - loops
    assert parsed.records.num_rows == len({t for r in rows for t in r}) == 1005
    assert _edges(parsed) == [(a, b) for a, b in rows if a != b]
    assert parsed.rejects.num_rows == 0


def test_ca_grqc_header_tabs_both_directions(shared_data):
    path = shared_data / "snap_ca_grqc" / "CA-GrQc.txt"
    parsed = read_edgelist(path)
    rows = _oracle_lines(path)
    assert parsed.n_rows == len(rows) == 28980
    assert parsed.records.num_rows == 5242
    pairs = {frozenset(e) for e in _edges(parsed)}
    assert len(pairs) == 14484  # SNAP's 14496 undirected edges less its 12 self-loops


def test_collegemsg_third_column_is_unix_time(shared_data):
    path = shared_data / "snap_collegemsg" / "CollegeMsg.txt"
    parsed = read_edgelist(path)
    it = pl.from_arrow(parsed.interactions)
    assert it["at"].null_count() == 0
    assert (it["weight"] == 1.0).all()
    span = (it["at"].max() - it["at"].min()).total_seconds() / 86400
    assert 193 <= span <= 194  # SNAP: 193 days
    rows = _oracle_lines(path)
    first_ts = int(rows[0][2])
    assert it.sort("line")["at"][0].timestamp() == first_ts


def test_weights_header_and_rejects(tmp_path):
    path = tmp_path / "edges.csv"
    more = [(f"g{i}", f"g{i + 1}") for i in range(9)]  # enough good lines that three bad ones are rejects
    path.write_text(
        "source,target,weight\na,b,2.5\nb,c,oops\nc\n\nd,d,1\nc,e,-1\ne,f,1,1700000000,9\n"
        + "".join(f"{a},{b},1\n" for a, b in more)
    )
    parsed = read_edgelist(path)
    assert _edges(parsed) == [("a", "b"), *more]
    assert pl.from_arrow(parsed.interactions)["weight"].to_list() == [2.5] + [1.0] * 9
    rej = pl.from_arrow(parsed.rejects)
    assert rej["line"].to_list() == [3, 4, 7, 8]
    assert "third column is not a number" in rej["reason"][0]
    assert "found 1" in rej["reason"][1]
    assert "positive" in rej["reason"][2]
    assert "found 5" in rej["reason"][3]
    assert parsed.n_skipped == 2  # the blank line and the self-loop


def test_not_an_edge_list_names_file_and_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is not\nan edge list at all, it is prose with many words\n")
    with pytest.raises(InputFormatError, match=r"notes.txt"):
        detect_format(path)


SEPS = st.sampled_from([" ", "\t", ",", "  ", " \t"])


def _header_word(k: str) -> bool:
    """A key that could be a column name (``col1``, ``source``): a first row of them is read as a header."""
    return bool(GENERIC_HEADER.fullmatch(k)) or k.lower() in HEADER_NAMES


KEYS = st.text(alphabet=string.ascii_letters + string.digits + "_.-@", min_size=1, max_size=8).filter(
    lambda k: not k.startswith(("#", "%")) and not _header_word(k)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edges=st.lists(st.tuples(KEYS, KEYS), min_size=1, max_size=30),
    sep=SEPS,
    eol=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
    comment=st.booleans(),
)
def test_round_trip_any_layout(tmp_path_factory, edges, sep, eol, final, comment):
    path = tmp_path_factory.mktemp("el") / "g.txt"
    body = eol.join(f"{a}{sep}{b}" for a, b in edges)
    text = ("# Nodes: x Edges: y" + eol if comment else "") + body + (eol if final else "")
    path.write_bytes(text.encode())
    parsed = read_edgelist(path)
    assert _edges(parsed) == [(a, b) for a, b in edges if a != b]
    assert parsed.rejects.num_rows == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_fuzz_only_reach_errors_escape(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fz") / "x.txt"
    path.write_bytes(data)
    try:
        parsed = read_edgelist(path)
    except InputFormatError:
        return
    assert parsed.rejects.num_rows + parsed.interactions.num_rows + parsed.n_skipped >= 0


def _both_paths(path: Path, monkeypatch):
    """The parse with the integer fast path allowed, and with it switched off (the general path)."""
    import reach.io.edgelist as el

    fast_taken = el._fast_integer_edges(path.read_bytes()) is not None
    with_fast = read_edgelist(path)
    monkeypatch.setattr(el, "_fast_integer_edges", lambda data: None)
    general = read_edgelist(path)
    monkeypatch.undo()
    return fast_taken, with_fast, general


def _assert_same(a, b):
    from polars.testing import assert_frame_equal

    for name in ("records", "interactions", "rejects"):
        assert_frame_equal(pl.from_arrow(getattr(a, name)), pl.from_arrow(getattr(b, name)))
    assert (a.n_rows, a.n_skipped) == (b.n_rows, b.n_skipped)


@pytest.mark.parametrize(
    "name",
    [
        "snap_email_eu_core/email-Eu-core.txt",
        "snap_email_enron/Email-Enron.txt",
        "snap_collegemsg/CollegeMsg.txt",
        "snap_ca_grqc/CA-GrQc.txt",
    ],
)
def test_fast_path_gives_the_general_answer_on_snap_files(shared_data, name, monkeypatch):
    fast_taken, a, b = _both_paths(shared_data / name, monkeypatch)
    # CA-GrQc has one line separated by a space instead of a tab: only the general path may read it
    assert fast_taken == (name != "snap_ca_grqc/CA-GrQc.txt")
    _assert_same(a, b)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(st.integers(-5, 3000), st.integers(0, 3000), st.integers(-2, 2_000_000_000)), min_size=1, max_size=40
    ),
    n_cols=st.sampled_from([2, 3]),
    sep=st.sampled_from(["\t", " ", ",", ";"]),
    eol=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
    n_comments=st.integers(0, 3),
    damage=st.sampled_from([None, "zero", "plus", "space", "cr", "mid_comment", "blank"]),
    where=st.integers(0, 39),
)
def test_fast_path_matches_the_general_path_on_any_integer_layout(
    tmp_path_factory, monkeypatch, rows, n_cols, sep, eol, final, n_comments, damage, where
):
    toks = [[str(a), str(b), str(c)][:n_cols] for a, b, c in rows]
    i = where % len(toks)
    if damage == "zero":
        toks[i][1] = "0" + toks[i][1]  # "07" is node key "07", not "7"
    elif damage == "plus":
        toks[i][0] = "+" + toks[i][0].lstrip("-")
    elif damage == "space":
        toks[i][1] = " " + toks[i][1] if sep != " " else toks[i][1] + " "
    lines = [sep.join(t) for t in toks]
    if damage == "cr":
        lines[i] += "\r"
    elif damage == "mid_comment":
        lines.insert(i, "# a comment in the middle")
    elif damage == "blank":
        lines.insert(i, "")
    text = "".join(f"# comment {k}{eol}" for k in range(n_comments)) + eol.join(lines) + (eol if final else "")
    path = tmp_path_factory.mktemp("fast") / "edges.txt"
    path.write_bytes(text.encode())
    try:
        fast_taken, a, b = _both_paths(path, monkeypatch)
    except InputFormatError:
        return  # e.g. every line rejected: then the general path raises, whichever path was tried first
    if damage in ("zero", "plus", "space", "blank") or (damage == "mid_comment" and i > 0):
        assert not fast_taken
    _assert_same(a, b)


def _keys(parsed) -> set[str]:
    return set(pl.from_arrow(parsed.records)["key"].to_list())


@pytest.mark.parametrize(
    ("header", "sep"),
    [
        ("col1 col2", " "),
        ("source target weight", " "),
        ("from,to", ","),
        ("Source\tTarget", "\t"),
        ('"V1","V2"', ","),
        ("node_a;node_b", ";"),
        ("Column1,Column2,Column3", ","),
        ("id1 id2", " "),
        ("person1 person2", " "),
    ],
)
@pytest.mark.parametrize("ids", ["numbers", "names"])
def test_a_header_row_is_a_header_not_two_people(tmp_path, header, sep, ids):
    import networkx as nx

    pairs = [(1, 2), (2, 3), (3, 4), (4, 1), (1, 3)]
    rows = [(f"p{a}", f"p{b}") if ids == "names" else (str(a), str(b)) for a, b in pairs]
    n_cols = header.count(sep) + 1
    body = "".join(sep.join([a, b, *(["2"] * (n_cols - 2))]) + "\n" for a, b in rows)
    path = tmp_path / "edges.txt"
    path.write_text(header + "\n" + body)
    parsed = read_edgelist(path)
    oracle = nx.Graph(rows)  # the data lines only, read independently
    assert _keys(parsed) == set(oracle.nodes)
    assert {frozenset(e) for e in _edges(parsed)} == {frozenset(e) for e in oracle.edges}
    assert parsed.rejects.num_rows == 0
    assert parsed.n_rows == len(rows)


def test_a_first_row_whose_names_recur_is_an_edge(tmp_path):
    path = tmp_path / "edges.txt"
    path.write_text("col1 col2\ncol2 col3\ncol3 col1\n")  # names that are nodes further down: people
    assert _edges(read_edgelist(path)) == [("col1", "col2"), ("col2", "col3"), ("col3", "col1")]
    path.write_text("ana bob\n1 2\n2 3\n")  # words over numbers, but too few lines to call it a header
    assert ("ana", "bob") in _edges(read_edgelist(path))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edges=st.lists(st.tuples(KEYS, KEYS), min_size=1, max_size=25),
    header=st.sampled_from(
        ["col1 col2", "source target", "from to", "Source Target weight", "V1 V2", "node1 node2", "Col_A Col_B"]
    ),
    sep=st.sampled_from([" ", "\t", ",", ";"]),
    eol=st.sampled_from(["\n", "\r\n"]),
)
def test_header_rows_never_become_people(tmp_path_factory, edges, header, sep, eol):
    n_cols = len(header.split())
    lines = [sep.join(header.split())] + [sep.join([a, b, *(["1"] * (n_cols - 2))]) for a, b in edges]
    path = tmp_path_factory.mktemp("hd") / "edges.txt"
    path.write_bytes((eol.join(lines) + eol).encode())
    parsed = read_edgelist(path)
    assert _edges(parsed) == [(a, b) for a, b in edges if a != b]
    assert _keys(parsed) == {k for e in edges for k in e}


BAD_LINES = st.sampled_from(["]", "[", "graph", "a b c d e f", 'label "x y"', "x y z w v"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edges=st.lists(st.tuples(KEYS, KEYS), min_size=1, max_size=30),
    bad=st.lists(st.tuples(st.integers(0, 40), BAD_LINES), max_size=12),
)
def test_inconsistent_files_are_refused_and_stray_rows_rejected(tmp_path_factory, edges, bad):
    lines = [f"{a} {b}" for a, b in edges]
    for pos, text in bad:
        lines.insert(pos % (len(lines) + 1), text)
    bad_lines = [i + 1 for i, ln in enumerate(lines) if ln in {b for _, b in bad}]
    path = tmp_path_factory.mktemp("inc") / "edges.txt"
    path.write_text("\n".join(lines) + "\n")
    n, k = len(lines), len(bad_lines)
    refuse = k == n or (k >= 2 and 2 * k > n) or (k >= 3 and k > 0.2 * n)
    if refuse:
        with pytest.raises(InputFormatError, match=rf"edges.txt: line {bad_lines[0]}: not consistently an edge list"):
            read_edgelist(path)
        return
    parsed = read_edgelist(path)
    assert pl.from_arrow(parsed.rejects)["line"].to_list() == bad_lines
    assert _edges(parsed) == [(a, b) for a, b in edges if a != b]


def test_prose_and_mixed_files_are_refused_with_a_hint(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("ana bob\nthese are my notes on people\nwe met at the fair\nand talked for hours\ncarl dee\n")
    with pytest.raises(InputFormatError, match=r"notes.txt: line 2: .*--format"):
        read_edgelist(path)
    path.write_text("source,target,weight\nana,bob,heavy\nana,carl,2\n")  # one stray row: a reject
    assert pl.from_arrow(read_edgelist(path).rejects)["line"].to_list() == [2]


@pytest.mark.parametrize(
    ("name", "real"),
    [
        ("classic_graphs/karate.gml", "gml"),
        ("real_exports_2/graphs/igraph.celegansneural.gml", "gml"),
        ("real_exports_2/graphs/igraph.pajek_links_crlf.net", "pajek"),
        ("real_exports_2/graphs/igraph.pajek_bipartite.net", "pajek"),
        ("real_exports_2/graphs/networkrepo.soc-wiki-Vote.mtx", "matrixmarket"),
        ("real_exports_2/graphs/konect.out.moreno_train_train", "konect"),
        ("real_exports_2/graphs/gephi07.LesMiserables.gexf", "gexf"),
    ],
)
def test_format_edgelist_on_a_graph_file_names_the_real_format(shared_data, tmp_path, name, real):
    from click.testing import CliRunner

    from reach.cli import cli

    path = shared_data / name
    with pytest.raises(InputFormatError, match=rf"not an edge list: the file is {real} .*--format {real}"):
        read_edgelist(path)
    res = CliRunner().invoke(cli, ["-w", str(tmp_path / "ws"), "import", str(path), "--format", "edgelist"])
    assert res.exit_code != 0
    assert f"--format {real}" in res.output and "Traceback" not in res.output
