"""Every file of ../shared/data/real_exports_2 imports with the counts its README row gives.

The rows are read from the table in ``shared/data/README.md`` (section ``real_exports_2/``), so a file
added there is a file tested here. The "independent count" column (made with Python's stdlib or
python-igraph, not with reach) is the oracle; graph files are also compared with igraph's, networkx's
or scipy's own reading of the file, made undirected and simple, as reach's ties are. Names must come
out in the script the file writes them in (found verbatim in the correctly decoded text).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import polars as pl
import pytest

from reach.builder import load_graph
from reach.imports import import_paths
from reach.io.formats import detect_format

OWNER = "owner@example.invalid"  # an owner label that is in none of the files
SECTION = "## real_exports_2/"


def _rows(shared: Path) -> list[tuple[str, str]]:
    """``(file, independent count)`` for every row of the README's real_exports_2 table."""
    text = (shared / "README.md").read_text(encoding="utf-8")
    part = text[text.index(SECTION) :]
    rows = []
    for line in part.splitlines()[1:]:
        if line.startswith("## "):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 8 and "/" in cells[0] and not cells[0].startswith(("file", "---")):
            rows.append((cells[0], cells[-1]))
    return rows


def _readme_rows() -> list[tuple[str, str]]:
    from tests.conftest import SHARED_DATA

    if not (SHARED_DATA / "README.md").is_file():
        return []
    return _rows(SHARED_DATA)


ROWS = _readme_rows()


def test_the_readme_table_was_found(shared_data):
    rows = _rows(shared_data)
    assert len(rows) >= 25
    on_disk = {str(p.relative_to(shared_data / "real_exports_2")) for p in (shared_data / "real_exports_2").glob("*/*")}
    assert {f.rstrip("/") for f, _ in rows} == on_disk  # every file has a row, every row a file


def _ints(count: str) -> list[int]:
    return [int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", count)]


def _import(tmp_path: Path, path: Path):
    ws = tmp_path / "ws"
    summary = import_paths(ws, [path], owner=OWNER)
    (result,) = summary.files
    assert result.status == "imported", result.error
    form = detect_format(path)
    parsed = form.read(path, owner=OWNER, options={})
    return result, parsed, load_graph(ws)


def _records(parsed) -> pl.DataFrame:
    rec = pl.from_arrow(parsed.records)
    for col, typ in (("emails", pl.List(pl.String)), ("display_name", pl.String)):
        if col not in rec.columns:
            rec = rec.with_columns(pl.lit(None, typ).alias(col))
    return rec


def _others(rec: pl.DataFrame) -> pl.DataFrame:
    return rec.filter(pl.col("role") != "owner")


def _emails(rec: pl.DataFrame) -> set[str]:
    return {e.lower() for e in _others(rec)["emails"].explode().drop_nulls().to_list()}


def _decodings(path: Path) -> list[str]:
    raw = path.read_bytes()
    out = []
    for enc in ("utf-8", "utf-16-be", "utf-16-le", "shift_jis"):
        try:
            out.append(raw.decode(enc))
        except UnicodeDecodeError:
            continue
    return out


def _names_in_script(path: Path, rec: pl.DataFrame) -> None:
    """Every name appears verbatim in one correct decoding of the file: no mojibake, no stray marks."""
    texts = _decodings(path)
    for name in _others(rec)["display_name"].drop_nulls().to_list():
        parts = [p for p in re.split(r"\s+", name) if p]
        assert all(any(p in t for t in texts) for p in parts), (path.name, name)


def _undirected_simple(pairs, *, n: int) -> tuple[int, int]:
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((a, b) for a, b in pairs if a != b)
    return g.number_of_nodes(), g.number_of_edges()


def _graph_oracle(path: Path) -> tuple[int, int, int]:
    """(nodes, edges as the file lists them, undirected simple ties without negative weights) by igraph,
    networkx or scipy."""
    import igraph as ig
    import networkx as nx
    import numpy as np

    name = path.name
    if name.endswith(".gexf"):
        g = nx.read_gexf(path)
        index = {v: i for i, v in enumerate(g.nodes)}
        pairs = [(index[a], index[b]) for a, b, w in g.edges(data="weight", default=1.0) if w > 0]
        return (g.number_of_nodes(), g.number_of_edges(), _undirected_simple(pairs, n=len(index))[1])
    if name.endswith(".mtx"):
        import scipy.io

        m = scipy.io.mmread(path).tocoo()
        pairs = list(zip(m.row.tolist(), m.col.tolist(), strict=True))
        _, ties = _undirected_simple(pairs, n=m.shape[0])
        return m.shape[0], ties, ties  # symmetric: the file lists each tie once
    if name.startswith("konect."):
        a = np.loadtxt(path, comments="%", ndmin=2)
        pairs = [(int(u), int(v)) for u, v, *w in a if not w or w[0] > 0]
        n = int(a[:, :2].max())
        return n, a.shape[0], _undirected_simple([(u - 1, v - 1) for u, v in pairs], n=n)[1]
    reader = {".gml": ig.Graph.Read_GML, ".graphml": ig.Graph.Read_GraphML, ".net": ig.Graph.Read_Pajek}
    g = reader[path.suffix](str(path))
    weights = g.es["weight"] if "weight" in g.es.attributes() else [1.0] * g.ecount()
    pairs = [e.tuple for e, w in zip(g.es, weights, strict=True) if w is None or w > 0]
    return g.vcount(), g.ecount(), _undirected_simple(pairs, n=g.vcount())[1]


def _ics_people(path: Path) -> set[str]:
    """Distinct organiser and attendee addresses, stdlib only: rooms and attendees who declined every
    invitation are not people reach meets (the importer's documented policy)."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n ", "")
    seen: dict[str, bool] = {}
    for line in text.splitlines():
        m = re.match(r"(ATTENDEE|ORGANIZER)([^:]*):(.*)$", line)
        if not m:
            continue
        params, value = m.group(2).upper(), m.group(3).strip()
        addr = re.sub(r"^mailto:", "", value, flags=re.I).lower()
        if "@" not in addr or "CUTYPE=ROOM" in params or "CUTYPE=RESOURCE" in params:
            continue
        declined = m.group(1) == "ATTENDEE" and "PARTSTAT=DECLINED" in params
        seen[addr] = seen.get(addr, False) or not declined
    return {a for a, met in seen.items() if met}


@pytest.mark.parametrize(("name", "count"), ROWS, ids=[r[0] for r in ROWS])
def test_every_real_export_imports_with_its_readme_count(shared_data, tmp_path, name, count):
    path = shared_data / "real_exports_2" / name.rstrip("/")
    if not path.exists():
        pytest.skip(f"{path} is absent")
    result, parsed, rg = _import(tmp_path, path)
    rec = _records(parsed)
    it = pl.from_arrow(parsed.interactions)
    nums = _ints(count)
    kind = name.split("/", 1)[0]
    if kind == "whatsapp":
        n_msgs, n_senders = nums  # "23 msg lines; 2 senders"
        assert parsed.n_rows == n_msgs
        assert it["src_record"].n_unique() == n_senders  # one sender per person who wrote
        # the exporter is one of the senders when the chat shows which (1:1 chats), else beside them
        assert n_senders <= rg.n_people <= n_senders + 1
        _names_in_script(path, rec)
    elif kind == "vcard":
        n_cards, _begin, n_emails = nums  # "1 cards (1 BEGIN); 0 emails"
        contacts = rec.filter(pl.col("role") == "contact")
        assert contacts.height == n_cards and result.n_rejects == 0
        assert contacts["emails"].explode().drop_nulls().len() == n_emails
        assert contacts["display_name"].null_count() == 0
        _names_in_script(path, rec)
    elif kind == "eml":
        (n_addresses,) = nums  # "4 distinct addresses"
        assert len(_emails(rec)) == n_addresses
        assert rg.n_people == n_addresses + 1  # and the owner, whose label is in no header
    elif kind == "maildir":
        n_msgs, _outside, _tmp, n_addresses = nums  # "14 msgs in cur/new (+0 outside, 0 in tmp); 25 addresses"
        assert parsed.n_rows == n_msgs
        assert len(_emails(rec)) == n_addresses
    elif kind == "graphs":
        n_nodes, n_edges = nums  # "297 nodes; 2359 edges (igraph)"
        o_nodes, o_edges, o_ties = _graph_oracle(path)
        assert (o_nodes, o_edges) == (n_nodes, n_edges)  # the oracle reads the file as the README counted it
        assert rec.height == rg.n_people == n_nodes
        assert rg.n_ties == o_ties
        assert len(it) + result.n_rejects <= n_edges
    elif kind == "ics":
        n_events, _att, _org, n_distinct = nums  # "9 VEVENT; 27 ATTENDEE, 9 ORGANIZER; 9 distinct"
        assert parsed.n_rows == n_events
        people = _ics_people(path)
        assert len(people) <= n_distinct
        assert _emails(rec) == people
        if n_distinct == 0:  # the documented negative case: meetings without other participants
            assert rg.n_people == 1 and rg.n_ties == 0
    elif kind == "linkedin":
        n_rows, n_emails = nums  # "3 data rows; 0 distinct emails"
        assert parsed.n_rows == n_rows
        assert len(it) + result.n_rejects == n_rows  # the stray BADROW line is a reject, not a message
        assert len(_emails(rec)) == n_emails
    elif kind == "slack":
        n_users, _channels, n_msgs, n_posters = nums  # "4 users; 2 channels; 158 messages; 4 posters"
        assert parsed.n_rows == n_msgs
        assert _others(rec).height == n_users
        assert it["src_record"].n_unique() == n_posters
    else:
        pytest.fail(f"no expectation for {name}: add one for its folder")


def test_japanese_vcard_name_is_in_japanese_script(shared_data, tmp_path):
    path = shared_data / "real_exports_2" / "vcard" / "aosp.v21_japanese_shiftjis_qp.vcf"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    _, parsed, _ = _import(tmp_path, path)
    (name,) = _others(_records(parsed))["display_name"].to_list()
    scripts = {unicodedata.name(ch).split()[0] for ch in name if not ch.isspace() and not ch.isdigit()}
    assert scripts <= {"CJK", "HIRAGANA", "KATAKANA"} and scripts
