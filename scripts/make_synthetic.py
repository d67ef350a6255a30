#!/usr/bin/env python
"""Generate a synthetic population and the exports a team would have of it, with the ground truth.

    python scripts/make_synthetic.py --people 100000 --team 50 --seed 0 out/M

Everything is fictional: names come from short lists, every address is on an ``.example`` domain,
phone numbers use the 555 exchange and LinkedIn slugs carry random tags.

The population
--------------
``--people`` people work at companies whose sizes are heavy-tailed (log-normal), in departments of
about 30, in cities. Each person has an activity weight drawn from a Pareto law (tail exponent 2.5), so
degrees are heavy-tailed. Ties are sampled with endpoints proportional to activity: 40 % inside the
department, 20 % inside the company, 15 % inside the city and 25 % anywhere, so companies and
departments are communities. The mean degree is ``--degree`` (20: 10 ties per person, so 1M people have
about 10M ties). The team (``--team`` people at one company) are hubs with 150 to 1,500 ties each and
mostly know each other.

Every person has a LinkedIn slug, a work email at their company's domain, a personal email and a phone;
one in ten also has a work email at a previous employer, used in older mail. A few households (see
``--shared-phone-rate``) share one phone between two people: a trap for identity resolution.

What is written to ``OUT``
--------------------------
``edges.txt``
    The true graph, SNAP style: ``#`` comments, then ``u<TAB>v`` per tie (u < v), node ids 0..N-1.
``people.parquet``
    The true people: ``person_id``, names, company (and ``company_id``), department (``department_id``
    is the department within its company: the planted communities), title, city, identifiers, ``is_team``.
``exports/<owner>/``
    Per team member: ``Connections.csv`` (LinkedIn: ``Notes:`` preamble, ``12 Mar 2024`` dates),
    ``contacts.csv`` (Google Contacts, current header, BOM, `` ::: `` multi-values, multi-line notes,
    "Other Contacts" rows), ``mail.mbox`` (headers of mail with their contacts, Takeout style, plus
    newsletters and spam the importer must skip) and ``calendar.ics`` (meetings with ORGANIZER and
    ATTENDEE, folded lines, CRLF, some declined attendees and rooms, a few weekly series). A contact
    appears under different identifiers in different files: the LinkedIn URL (rarely with an email),
    work and personal emails and a phone in the address book, mostly the work address in mail and
    meetings, names with the odd typo.
``truth.parquet``
    One row per record the importers produce: ``file`` (relative to OUT), ``format``, ``role``
    (``owner``, ``contact`` for a CSV row, ``party`` for an address in mail or a calendar), ``line``
    (the 1-based line the record starts on: the CSV row; for a party, the first line it appears on),
    ``address`` (for parties: the lower-cased address, which is how they are matched) and
    ``person_id`` (the true person).
``manifest.json``
    Seed, sizes, counts and every export file with its format and owner (the owner's work email).

Deterministic: the same arguments give byte-identical files. 1M people (10M ties) take a few minutes.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import time
import unicodedata
from pathlib import Path

import numpy as np
import polars as pl

END = 1_767_139_200  # 2025-12-31T00:00:00Z: the exports' "today" (fixed, so output is reproducible)
START = 1_325_376_000  # 2012-01-01T00:00:00Z
YEAR = 365 * 86_400

FIRST = (
    "Ana Ben Chloé Dev Elif Farid Grace Hugo Ines Jonas Kofi Lena Mateo Nadia Omar Priya Quinn Rosa Sami Tara "
    "Umar Vera Wen Ximena Yusuf Zoë Aaron Bianca Carlos Dana Emil Fatima Gustav Hana Ivan Julia Kenji Leila "
    "Marco Nora Oscar Paula Rafael Sofia Tomás Uma Viktor Wanda Yara Zane Amir Beatriz Chen Daria Erik Freya "
    "Gabriel Helga Ibrahim Jasmine Karim Lucía Mika Nils Olga Pedro Renée Søren Talia Ulrich Valentina Willem "
    "Ayesha Björn Camille Diego Esther François Greta Hiro Isla Jamal Katya Liam Maya Nikolai Ophelia Pablo "
    "Rania Stefan Teodor Amara Bruno Clara Dmitri Eva Felix Gloria Henrik Irene Joaquín Kai Laila Magnus Noor "
    "Adele Alejandro Alina Anders Andrea Anil Anton Arjun Astrid Aurora Benedikt Bernard Bilal Bodhi Carmen "
    "Cecilia Cyrus Dalia Damian Daniel Dario Deepa Delia Dorothea Edgar Eitan Elena Elias Elise Emre Enzo "
    "Esra Ewa Fabian Fiona Florin Gemma Gideon Goran Hadiya Hamza Harriet Hassan Hedda Hector Ilse Imani Ingrid "
    "Isaac Ismael Jakob Jana Javier Joanna Jorge Josefine Jun Kamal Kamila Karolina Kasper Kemal Kiran Klara "
    "Lars Laurent Lea Leon Lina Lorenzo Luca Luisa Madhu Malik Mara Marek Marta Matilda Meera Milan Mira Moritz "
    "Nadim Naomi Nasser Nell Nikhil Nina Odette Olek Olivia Orla Paolo Petra Pia Radu Rahel Ravi Reza Rhea "
    "Roberto Roya Ruben Saanvi Salma Santiago Sara Sergei Shira Silvia Simone Siobhan Soraya Sven Tariq Thea "
    "Tobias Ulla Valeria Vikram Vincent Wiebke Xavier Yasmin Yuki Zara Zeynep Agnes Ahmed Akira Alba Aleksander "
    "Anouk Basil Bea Bruna Cai Celine Chiara Colm Dagny Dalton Dilan Dora Eero Eleni Emeka Femi Frida Gaia Gunnar"
).split()
LAST = (
    "Souza Okafor Martin Patel Yilmaz Haddad Lee Moreau Alves Berg Mensah Novak Ruiz Karimi Aziz Sharma Byrne "
    "Costa Nakamura Singh Rahman Petrov Zhang Flores Demir Müller Abbott Bauer Castillo Dubois Eriksen Fischer "
    "García Horvat Ito Jensen Kowalski Lindqvist Mendoza Nowak O'Neil Pereira Quispe Rossi Schmidt Tanaka "
    "Ueda Varga Weber Xu Yamamoto Zimmermann Andersen Brennan Chowdhury Delgado Eze Fontaine Gallagher "
    "Hoffmann Ibáñez Jovanović Kaur Laurent Murphy Núñez Olsen Park Quinn Rinaldi Sato Takahashi Urbina "
    "Vasquez Walsh Yoon Zhou Acheampong Bianchi Carvalho Dimitrov Espinoza Ferreira Gonzalez Hansen Ivanova "
    "Kim Larsen Moretti Nielsen Oliveira Popescu Romano Silva Torres Valentin Wagner Young Ortiz Adeyemi "
    "Ahmadi Albrecht Alvarez Amato Antonelli Arslan Asante Bakker Banerjee Barros Bashir Becker Benedetti "
    "Bergström Bhatt Blanco Boateng Bondarenko Brandt Caruso Cesar Chaudhry Cohen Conti Cruz Dahl Dang Das "
    "Lucchesi Diallo Diaz Dogan Dong Duarte Ekström Engel Esposito Falk Farouk Fernandes Ferrari Fitzgerald "
    "Fonseca Fournier Fuchs Gallo Ghosh Gomes Greco Grimaldi Gupta Haas Halvorsen Hartmann Hayashi Herrera "
    "Holm Hosseini Huber Hughes Iyer Jaber Jakobsen Janssen Jimenez Johansson Kaya Keller Khalil Khan Kiplagat "
    "Klein Koch Kovač Kramer Krause Kumar Lambert Lange Lehmann Leone Lim Lombardi Lopez Lund Maier Malik "
    "Mancini Marino Marsh Medina Meier Mehta Meyer Miller Mishra Molina Morales Moreno Nair Navarro Ng Nguyen "
    "Noor Obi Ochieng Ogunleye Okonkwo Oliveri Osei Owusu Pacheco Pavlović Pellegrini Peters Pham Pillai "
    "Pires Pohl Price Ramos Rao Reddy Reyes Richter Rivera Rocha Rodrigues Roth Russo Saito Salazar Santos "
    "Sanz Schneider Schulz Serrano Shah Simon Sokolov Sommer Stewart Suarez Suzuki Svensson Tan Thakur Tran "
    "Vargas Vogel Volkov Wang Watanabe Werner Wolf Wright Yadav Yamada Yusuf Zamora Zanetti Ziegler Abe Aguilar "
    "Alonso Aydin Baptiste Bertrand Brun Campbell Chavez Çelik Dupont Evans Fraser Girard Guerrero Hakimi"
).split()
PREFIX = (
    "Blue North Silver Quantum Bright Cedar Iron Maple Golden Swift Crystal Harbor Summit River Stone Polar "
    "Sun Falcon Oak Nimbus Coral Granite Lumen Vertex Prairie Atlas Orbit Pine Ember Delta Echo Willow Vector "
    "Copper Aurora Beacon Cobalt Meadow Tundra Zephyr Lotus Onyx Sierra Pioneer Jade Mosaic Horizon Cascade"
).split()
SUFFIX = (
    "wind field forge leaf works point bridge gate stream light path wave crest ridge vale rock spark line "
    "star port mark shore brook stone wood hill lake peak"
).split()
SECTOR = (
    "Labs Systems Analytics Logistics Health Capital Robotics Foods Energy Media Software Partners Bank Retail "
    "Consulting Pharma Foundry Networks Mobility Studios Insurance Materials Ventures Telecom Security"
).split()
LEGAL = ["", " Inc.", " Ltd", " GmbH", ", Inc.", " LLC", " AG", " Corp.", " SA"]
LEGAL_P = [0.45, 0.15, 0.1, 0.07, 0.06, 0.07, 0.03, 0.04, 0.03]
CITIES = (
    "London;Berlin;Paris;Madrid;Lisbon;Amsterdam;Stockholm;Warsaw;Vienna;Zurich;Dublin;Milan;Prague;Oslo;"
    "New York;Boston;Chicago;Austin;Seattle;San Francisco;Toronto;Montreal;Mexico City;São Paulo;Bogotá;"
    "Lagos;Nairobi;Cairo;Istanbul;Dubai;Mumbai;Bengaluru;Singapore;Tokyo;Seoul;Sydney;Melbourne;Auckland"
).split(";")
FUNCTIONS = {
    "Sales": [
        "Account Executive",
        "Sales Development Representative",
        "Account Manager",
        "Sales Manager",
        "Head of Sales",
        "VP Sales",
        "Regional Sales Director",
        "Chief Revenue Officer",
    ],
    "Engineering": [
        "Software Engineer",
        "Senior Software Engineer",
        "Staff Engineer",
        "Engineering Manager",
        "Principal Engineer",
        "Director of Engineering",
        "VP Engineering",
        "CTO",
    ],
    "Marketing": [
        "Marketing Associate",
        "Content Marketing Manager",
        "Product Marketing Manager",
        "Growth Lead",
        "Head of Marketing",
        "Marketing Director",
        "VP Marketing",
        "CMO",
    ],
    "Finance": [
        "Financial Analyst",
        "Senior Accountant",
        "Controller",
        "Finance Manager",
        "FP&A Lead",
        "Head of Finance",
        "VP Finance",
        "CFO",
    ],
    "People": [
        "Recruiter",
        "Talent Partner",
        "HR Business Partner",
        "People Operations Manager",
        "Head of Talent",
        "HR Director",
        "VP People",
        "Chief People Officer",
    ],
    "Operations": [
        "Operations Analyst",
        "Operations Manager",
        "Supply Chain Lead",
        "Program Manager",
        "Head of Operations",
        "Director of Operations",
        "VP Operations",
        "COO",
    ],
    "Product": [
        "Product Analyst",
        "Product Manager",
        "Senior Product Manager",
        "Product Designer",
        "Group Product Manager",
        "Head of Product",
        "VP Product",
        "Chief Product Officer",
    ],
    "Legal": [
        "Paralegal",
        "Legal Counsel",
        "Senior Counsel",
        "Compliance Manager",
        "Head of Legal",
        "General Counsel",
        "VP Legal",
        "Chief Legal Officer",
    ],
}
TITLE_P = [0.26, 0.22, 0.16, 0.13, 0.09, 0.07, 0.05, 0.02]  # juniors are common, chiefs rare
PROVIDERS = ["mailbox.example", "inbox.example", "post.example", "webmail.example", "fastmail.example"]
SUBJECTS = [
    "Quick question",
    "Catch-up",
    "Intro",
    "Proposal",
    "Follow-up",
    "Next steps",
    "Contract",
    "Q3 planning",
    "Coffee next week?",
    "Slides from today",
    "Hiring",
    "Pricing",
    "Partnership",
    "Thanks!",
    "Agenda for Thursday",
    "Notes from the call",
    "Renewal",
    "Feedback",
    "Demo",
    "Invoice",
]
MEETINGS = [
    "Sync",
    "1:1",
    "Intro call",
    "Pipeline review",
    "Quarterly business review",
    "Demo",
    "Coffee",
    "Kick-off",
    "Interview",
    "Planning",
    "Contract review",
    "Workshop",
    "Lunch",
]
NOTES = [
    "Met at a conference",
    "Former colleague",
    "Intro via a friend",
    "Prefers mornings",
    "Met at the offsite\nFollow up in Q2",
    "Customer since 2019",
    "Board contact\nAsk before reaching out",
]
LI_NOTES = (
    '"When exporting your connection data, you may notice that some of the email addresses are missing. '
    "You will only see email addresses for connections who have allowed their connections to see or "
    "download their email address using this setting https://www.linkedin.com/psettings/privacy/email. "
    'You can learn more here https://www.linkedin.com/help/linkedin/answer/261"'
)
LI_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
GOOGLE_HEADER = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,"
    "Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,"
    "Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,"
    "Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,"
    "Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,"
    "Address 1 - Extended Address,Website 1 - Label,Website 1 - Value"
).split(",")


def rng_for(seed: int, stage: int) -> np.random.Generator:
    """An independent stream per stage, so a change to one stage leaves the others' draws alone."""
    return np.random.default_rng([seed, stage])


def ascii_fold(text: str) -> str:
    text = text.replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L").replace("ß", "ss")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded if c.isalnum()).lower()


def pick(values: list[str], idx: np.ndarray, name: str) -> pl.Series:
    """``values[idx]`` as a polars String series, without building a numpy unicode array."""
    return pl.Series(name, values, dtype=pl.String).gather(pl.Series(idx.astype(np.int64)))


def dedupe_suffix(frame: pl.DataFrame, col: str, sep: str = "") -> pl.Expr:
    """``col`` made unique by appending 2, 3, ... to repeats (first occurrence unchanged)."""
    k = pl.int_range(pl.len()).over(col)
    return pl.when(k == 0).then(pl.col(col)).otherwise(pl.format("{}{}{}", pl.col(col), pl.lit(sep), k + 1))


# ------------------------------------------------------------------ population
def make_companies(n_people: int, rng: np.random.Generator) -> pl.DataFrame:
    k = max(2, n_people // 40)
    space = len(PREFIX) * len(SUFFIX) * len(SECTOR)
    code = (
        rng.choice(space, size=min(k, space), replace=False)
        if k <= space
        else np.concatenate([rng.permutation(space), rng.integers(0, space, k - space)])
    )
    p, rest = np.divmod(code, len(SUFFIX) * len(SECTOR))
    s, t = np.divmod(rest, len(SECTOR))
    legal = rng.choice(len(LEGAL), size=k, p=LEGAL_P)
    base = pl.DataFrame({"p": pick(PREFIX, p, "p"), "s": pick(SUFFIX, s, "s"), "t": pick(SECTOR, t, "t")})
    comp = base.select(
        pl.concat_str([pl.col("p"), pl.col("s"), pl.lit(" "), pl.col("t")]).alias("stem"),
        pl.concat_str([pl.col("p"), pl.col("s"), pl.col("t")]).str.to_lowercase().alias("dom"),
    ).with_columns(pl.Series("legal", pick(LEGAL, legal, "legal")))
    comp = comp.with_columns(dedupe_suffix(comp, "dom"), dedupe_suffix(comp, "stem", " "))
    comp = comp.with_columns(
        (pl.col("stem") + pl.col("legal")).alias("company"), (pl.col("dom") + pl.lit(".example")).alias("domain")
    )
    weight = rng.lognormal(0.0, 1.3, size=k)
    weight[0] = max(weight[0], weight.sum() * 0.004)  # the team's company is big enough to hold a team
    return comp.select("company", "domain").with_columns(
        pl.Series("weight", weight), pl.Series("hq", rng.integers(0, len(CITIES), k))
    )


def make_people(n: int, n_team: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The true people (ids 0..n-1 in random order of company) and the companies."""
    rng = rng_for(seed, 1)
    comp = make_companies(n, rng)
    k = comp.height
    w = comp["weight"].to_numpy()
    company = np.searchsorted(np.cumsum(w) / w.sum(), rng.random(n), side="right").clip(0, k - 1)
    company[: max(n_team * 3, 1)] = 0  # the team's company has at least three times the team
    size = np.bincount(company, minlength=k)
    n_dept = np.maximum(1, np.round(size / 30)).astype(np.int64)
    dept_off = np.concatenate([[0], np.cumsum(n_dept)[:-1]])
    dept = dept_off[company] + (rng.random(n) * n_dept[company]).astype(np.int64)
    func = (dept * 2654435761 % 2**32) % len(FUNCTIONS)
    level = rng.choice(len(TITLE_P), size=n, p=TITLE_P)
    titles = [t for ts in FUNCTIONS.values() for t in ts]
    hq = comp["hq"].to_numpy()[company]
    city = np.where(rng.random(n) < 0.8, hq, rng.integers(0, len(CITIES), n))
    names = rng_for(seed, 10)  # a stream of its own: longer name lists leave the graph unchanged
    first = names.integers(0, len(FIRST), n)
    last = names.integers(0, len(LAST), n)
    # Pareto activity (tail exponent 2.5): heavy-tailed degrees
    theta = np.minimum((1.0 - rng.random(n)) ** (-1.0 / 1.5), 40.0 * n**0.25)
    prev = rng.random(n) < 0.1
    prev_company = np.where(prev, rng.integers(0, k, n), -1)
    prev_company = np.where(prev_company == company, (company + 1) % k, prev_company)
    switch_at = np.where(prev, START + rng.random(n) * (END - START), 0).astype(np.int64)
    area = _area_codes()
    phone_code = rng.choice(len(area) * 10_000, size=n, replace=False)
    ppl = pl.DataFrame(
        {
            "company_idx": company,
            "dept": dept,
            "func": func.astype(np.int64),
            "level": level.astype(np.int64),
            "city_idx": city.astype(np.int64),
            "theta": theta,
            "prev_company_idx": prev_company.astype(np.int64),
            "switch_at": switch_at,
            "first_name": pick(FIRST, first, "first_name"),
            "last_name": pick(LAST, last, "last_name"),
            "first_ascii": pick([ascii_fold(x) for x in FIRST], first, "a"),
            "last_ascii": pick([ascii_fold(x) for x in LAST], last, "b"),
            "title": pick(titles, func * 8 + level, "title"),
            "city": pick(CITIES, city, "city"),
            "area": pick([str(a) for a in area], phone_code // 10_000, "area"),
            "line_no": pl.Series(phone_code % 10_000),
            "slug_tag": pl.Series(rng.integers(0, 16**8, n)),
            "vanity": pl.Series(rng.random(n) < 0.2),
            "provider": pick(PROVIDERS, rng.integers(0, len(PROVIDERS), n), "provider"),
            "mail_tag": pl.Series(rng.integers(0, 100, n)),
            "mail_style": pl.Series(rng.integers(0, 3, n)),
        }
    )
    ppl = ppl.with_columns(
        pl.col("company_idx").replace_strict(pl.Series(range(k)), comp["company"]).alias("company"),
        pl.col("company_idx").replace_strict(pl.Series(range(k)), comp["domain"]).alias("domain"),
        pl.col("prev_company_idx")
        .replace_strict(pl.Series(range(k)), comp["domain"], default=None)
        .alias("prev_domain"),
        pl.Series("department", pick(list(FUNCTIONS), func, "department")),
    )
    # identifiers, made unique where names collide
    ppl = ppl.with_columns(
        pl.format("{}.{}@{}", "first_ascii", "last_ascii", "domain").alias("work_email"),
        pl.when(pl.col("mail_style") == 0)
        .then(pl.format("{}.{}{}@{}", "first_ascii", "last_ascii", "mail_tag", "provider"))
        .when(pl.col("mail_style") == 1)
        .then(pl.format("{}{}{}@{}", pl.col("first_ascii").str.slice(0, 1), "last_ascii", "mail_tag", "provider"))
        .otherwise(pl.format("{}_{}@{}", "first_ascii", "last_ascii", "provider"))
        .alias("personal_email"),
        pl.when(pl.col("vanity"))
        .then(pl.format("{}{}", "first_ascii", "last_ascii"))
        .otherwise(
            pl.format(
                "{}-{}-{}", "first_ascii", "last_ascii", pl.col("slug_tag").map_batches(_hex8, return_dtype=pl.String)
            )
        )
        .alias("linkedin_slug"),
        pl.format("+1 {}-555-{}", "area", pl.col("line_no").cast(pl.String).str.zfill(4)).alias("phone"),
        # an older address style ("asouza@"), so it never equals a current "first.last@" address
        pl.when(pl.col("prev_domain").is_not_null())
        .then(pl.format("{}{}@{}", pl.col("first_ascii").str.slice(0, 1), "last_ascii", "prev_domain"))
        .alias("prev_email"),
    )
    ppl = ppl.with_columns(
        _unique_email("work_email"),
        _unique_email("personal_email"),
        _unique_email("prev_email"),
        dedupe_suffix(ppl, "linkedin_slug", "-"),
    )
    # shuffle ids so that vertex order carries no community information
    perm = rng.permutation(n)
    ppl = ppl.with_columns(pl.Series("person_id", perm)).sort("person_id")
    return ppl, comp


def _hex8(s: pl.Series) -> pl.Series:
    """Eight lower-case hex digits per value, vectorised."""
    v = s.to_numpy().astype(np.uint64)
    nib = (v[:, None] >> np.arange(28, -1, -4, dtype=np.uint64)) & np.uint64(15)
    chars = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[nib.astype(np.int64)]
    return pl.Series(np.ascontiguousarray(chars).view("S8").ravel()).cast(pl.String)


def _unique_email(col: str) -> pl.Expr:
    local = pl.col(col).str.extract(r"^([^@]+)@", 1)
    dom = pl.col(col).str.extract(r"@(.+)$", 1)
    k = pl.int_range(pl.len()).over(col)
    return (
        pl.when(pl.col(col).is_null() | (k == 0))
        .then(pl.col(col))
        .otherwise(pl.format("{}{}@{}", local, k + 1, dom))
        .alias(col)
    )


def _area_codes() -> list[int]:
    return [a for a in range(201, 990) if a % 100 != 11 and (a // 10) % 10 != 9]


# ------------------------------------------------------------------ the true graph
def _group_sampler(group: np.ndarray, theta: np.ndarray):
    """Draw, for each u, a v in the same group with probability proportional to theta."""
    order = np.argsort(group, kind="stable")
    g_sorted = group[order]
    cum = np.cumsum(theta[order])
    starts = np.searchsorted(g_sorted, g_sorted, side="left")  # per sorted position: its group's start
    ends = np.searchsorted(g_sorted, g_sorted, side="right")
    pos = np.empty_like(order)
    pos[order] = np.arange(order.shape[0])

    def draw(u: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        pu = pos[u]
        lo = np.where(starts[pu] > 0, cum[starts[pu] - 1], 0.0)
        hi = cum[ends[pu] - 1]
        r = lo + rng.random(u.shape[0]) * (hi - lo)
        j = np.searchsorted(cum, r, side="right")
        j = np.minimum(np.maximum(j, starts[pu]), ends[pu] - 1)
        return order[j]

    return draw


def make_edges(ppl: pl.DataFrame, team: np.ndarray, *, degree: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Unique undirected ties (u < v), sorted, and which of them touch the team (boolean)."""
    rng = rng_for(seed, 2)
    n = ppl.height
    theta = ppl["theta"].to_numpy()
    target = round(n * degree / 2)
    # the team: hubs that mostly know each other
    t = team.shape[0]
    team_deg = np.minimum(np.exp(rng.uniform(np.log(150), np.log(1500), t)), max(10, n / 10)).astype(np.int64)
    tu = np.repeat(team, team_deg)
    company = ppl["company_idx"].to_numpy()
    same_co = _group_sampler(company, theta)
    glob_cum = np.cumsum(theta)
    in_co = rng.random(tu.shape[0]) < 0.3
    tv = np.where(
        in_co,
        same_co(tu, rng),
        np.searchsorted(glob_cum, rng.random(tu.shape[0]) * glob_cum[-1], side="right").clip(0, n - 1),
    )
    iu, iv = np.triu_indices(t, 1)
    keep = rng.random(iu.shape[0]) < 0.6
    extra = np.concatenate([np.column_stack([tu, tv]), np.column_stack([team[iu[keep]], team[iv[keep]]])])
    fixed = _pair_keys(extra, n)  # the team's ties are all kept
    samplers = [
        (0.40, _group_sampler(ppl["dept"].to_numpy(), theta)),
        (0.20, same_co),
        (0.15, _group_sampler(ppl["city_idx"].to_numpy(), theta)),
        (0.25, None),
    ]
    keys = fixed
    while keys.shape[0] < target:
        need = int((target - keys.shape[0]) * 1.3) + 16
        u = np.searchsorted(glob_cum, rng.random(need) * glob_cum[-1], side="right").clip(0, n - 1)
        kind = rng.choice(len(samplers), size=need, p=[p for p, _ in samplers])
        v = np.empty(need, dtype=np.int64)
        for i, (_, draw) in enumerate(samplers):
            m = kind == i
            v[m] = (
                draw(u[m], rng)
                if draw is not None
                else np.searchsorted(glob_cum, rng.random(int(m.sum())) * glob_cum[-1], side="right").clip(0, n - 1)
            )
        keys = sorted_unique(np.concatenate([keys, _pair_keys(np.column_stack([u, v]), n)]))
    if keys.shape[0] > target:  # drop a random surplus, never a team tie
        free = np.flatnonzero(~sorted_isin(keys, fixed))
        drop = rng.choice(free, size=keys.shape[0] - target, replace=False)
        keep = np.ones(keys.shape[0], dtype=bool)
        keep[drop] = False
        keys = keys[keep]
    edges = np.column_stack(np.divmod(keys, n))
    is_team = np.zeros(n, dtype=bool)
    is_team[team] = True
    return edges, is_team[edges[:, 0]] | is_team[edges[:, 1]]


def _pair_keys(pairs: np.ndarray, n: int) -> np.ndarray:
    a, b = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    ok = a != b
    return sorted_unique(a[ok].astype(np.int64) * n + b[ok])


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting: numpy 2.4's hash-based ``np.unique`` is ~100x slower on big int64 arrays."""
    s = np.sort(a)
    if s.shape[0] < 2:
        return s
    return s[np.concatenate([[True], s[1:] != s[:-1]])]


def sorted_isin(a: np.ndarray, sorted_b: np.ndarray) -> np.ndarray:
    """``np.isin(a, b)`` for a sorted ``b`` by binary search."""
    if sorted_b.shape[0] == 0:
        return np.zeros(a.shape[0], dtype=bool)
    i = np.searchsorted(sorted_b, a).clip(0, sorted_b.shape[0] - 1)
    return sorted_b[i] == a


def write_edges(path: Path, edges: np.ndarray, n: int, seed: int) -> None:
    head = (
        f"# Synthetic reach population (scripts/make_synthetic.py, seed {seed}): undirected\n"
        f"# Nodes: {n} Edges: {edges.shape[0]}\n# FromNodeId\tToNodeId\n"
    )
    buf = io.BytesIO()
    pl.DataFrame({"u": edges[:, 0], "v": edges[:, 1]}).write_csv(buf, separator="\t", include_header=False)
    path.write_bytes(head.encode() + buf.getvalue())


# ------------------------------------------------------------------ the team's view: ego ties
def ego_ties(ppl: pl.DataFrame, edges: np.ndarray, touches: np.ndarray, team: np.ndarray, seed: int) -> pl.DataFrame:
    """One row per (owner, contact) tie, with a closeness and when the tie began."""
    rng = rng_for(seed, 3)
    e = edges[touches]
    is_team = np.zeros(ppl.height, dtype=bool)
    is_team[team] = True
    both = np.concatenate([e, e[:, ::-1]])
    both = both[is_team[both[:, 0]]]
    both = both[np.lexsort((both[:, 1], both[:, 0]))]
    owner, contact = both[:, 0], both[:, 1]
    company = ppl["company_idx"].to_numpy()
    colleague = company[owner] == company[contact]
    closeness = rng.lognormal(0.0, 0.9, owner.shape[0]) * np.where(colleague, 1.8, 1.0)
    began = (START + rng.random(owner.shape[0]) ** 0.7 * (END - 60 * 86_400 - START)).astype(np.int64)
    return pl.DataFrame(
        {
            "owner": owner,
            "contact": contact,
            "colleague": colleague,
            "closeness": closeness,
            "began": began,
            "contact_company": company[contact],
        }
    )


def owner_dirs(ppl: pl.DataFrame, team: np.ndarray) -> dict[int, str]:
    sub = ppl[team.tolist()]
    return {
        int(pid): f"{i:03d}-{a}-{b}"
        for i, (pid, a, b) in enumerate(zip(sub["person_id"], sub["first_ascii"], sub["last_ascii"], strict=True))
    }


def typo(names: pl.Series, rng: np.random.Generator, rate: float) -> pl.Series:
    """A few names with one typo: two letters swapped, a letter dropped or doubled."""
    vals = names.to_list()
    hit = np.flatnonzero(rng.random(len(vals)) < rate)
    kinds = rng.integers(0, 3, hit.shape[0])
    for i, k in zip(hit.tolist(), kinds.tolist(), strict=True):
        s = vals[i]
        if not s or len(s) < 4:
            continue
        j = 1 + int(rng.integers(0, len(s) - 2))
        vals[i] = (
            (s[:j] + s[j + 1] + s[j] + s[j + 2 :])
            if k == 0
            else (s[:j] + s[j + 1 :])
            if k == 1
            else (s[:j] + s[j] + s[j:])
        )
    return pl.Series(names.name, vals, dtype=pl.String)


def _date_col(ts: pl.Expr, fmt: str) -> pl.Expr:
    return pl.from_epoch(ts, time_unit="s").dt.strftime(fmt)


def write_rows(frame: pl.DataFrame) -> bytes:
    """CSV rows without a header, empty cells unquoted (as LinkedIn and Google write them)."""
    buf = io.BytesIO()
    frame.with_columns(pl.when(pl.all() == "").then(None).otherwise(pl.all()).name.keep()).write_csv(
        buf, include_header=False
    )
    return buf.getvalue()


def _line_counts(rows: pl.DataFrame, col: str) -> np.ndarray:
    """Newlines inside each row's cells (only ``col`` can hold them)."""
    return rows[col].fill_null("").str.count_matches("\n").to_numpy().astype(np.int64)


# ------------------------------------------------------------------ LinkedIn Connections.csv
def linkedin_files(
    ego: pl.DataFrame, ppl: pl.DataFrame, dirs: dict[int, str], out: Path, seed: int
) -> list[pl.DataFrame]:
    rng = rng_for(seed, 4)
    p_in = np.where(ego["colleague"].to_numpy(), 0.9, 0.72)
    rows = ego.filter(pl.Series(rng.random(ego.height) < p_in))
    rows = rows.join(
        ppl.select(
            pl.col("person_id").alias("contact"),
            "first_name",
            "last_name",
            "linkedin_slug",
            "work_email",
            "personal_email",
            "company",
            "title",
        ),
        on="contact",
        how="left",
    )
    n = rows.height
    connected = rows["began"].to_numpy() + (rng.random(n) ** 2 * (END - rows["began"].to_numpy()) * 0.5).astype(
        np.int64
    )
    mail = rng.random(n)
    rows = rows.with_columns(
        pl.Series("connected", connected),
        pl.when(pl.Series(mail < 0.06))
        .then(pl.col("work_email"))
        .when(pl.Series(mail < 0.14))
        .then(pl.col("personal_email"))
        .otherwise(pl.lit(""))
        .alias("email"),
        pl.when(pl.Series(rng.random(n) < 0.08)).then(pl.lit("")).otherwise(pl.col("title")).alias("title"),
    ).sort("owner", "connected", "contact", descending=[False, True, False])
    truth = []
    for (owner,), part in rows.group_by("owner", maintain_order=True):
        rel = f"exports/{dirs[owner]}/Connections.csv"
        body = part.select(
            pl.col("first_name").alias("First Name"),
            pl.col("last_name").alias("Last Name"),
            pl.format("https://www.linkedin.com/in/{}", "linkedin_slug").alias("URL"),
            pl.col("email").alias("Email Address"),
            pl.col("company").alias("Company"),
            pl.col("title").alias("Position"),
            _date_col(pl.col("connected"), "%d %b %Y").alias("Connected On"),
        )
        text = f"Notes:\n{LI_NOTES}\n\n{LI_HEADER}\n".encode() + write_rows(body)
        (out / rel).write_bytes(text)
        truth.append(
            pl.DataFrame(
                {
                    "file": rel,
                    "format": "linkedin-connections",
                    "role": "contact",
                    "line": np.arange(5, 5 + part.height, dtype=np.int64),
                    "address": None,
                    "person_id": part["contact"],
                },
                schema=TRUTH_SCHEMA,
            )
        )
    return truth


TRUTH_SCHEMA = {
    "file": pl.String,
    "format": pl.String,
    "role": pl.String,
    "line": pl.Int64,
    "address": pl.String,
    "person_id": pl.Int64,
}


# ------------------------------------------------------------------ Google Contacts CSV
def google_files(
    ego: pl.DataFrame, mail_partners: pl.DataFrame, ppl: pl.DataFrame, dirs: dict[int, str], out: Path, seed: int
) -> list[pl.DataFrame]:
    rng = rng_for(seed, 5)
    close = ego["closeness"].to_numpy()
    keep = rng.random(ego.height) < np.minimum(0.85, 0.18 + 0.22 * close)
    rows = ego.filter(pl.Series(keep)).select("owner", "contact")
    info = ppl.select(
        pl.col("person_id").alias("contact"),
        "first_name",
        "last_name",
        "company",
        "title",
        "department",
        "city",
        "work_email",
        "personal_email",
        "phone",
        "linkedin_slug",
        "area",
        "line_no",
    )
    rows = rows.join(info, on="contact", how="left")
    n = rows.height
    u = rng.random((n, 8))
    has_work = u[:, 0] < 0.72
    has_home = (u[:, 1] < 0.45) | ~has_work & (u[:, 2] < 0.6)
    has_phone = (u[:, 2] < 0.4) | ~has_work & ~has_home
    joined = has_work & has_home & (u[:, 3] < 0.15)  # both addresses in one cell, " ::: "-joined
    phone_style = rng.choice(3, size=n, p=[0.65, 0.25, 0.10])
    site = u[:, 4] < 0.1
    notes = np.where(u[:, 5] < 0.06, rng.integers(0, len(NOTES), n), -1)
    labels = ["* myContacts", "* myContacts ::: * starred", "Coworkers ::: * myContacts", "Clients ::: * myContacts"]
    rows = rows.with_columns(
        typo(rows["first_name"], rng, 0.03).alias("first_name"),
        typo(rows["last_name"], rng, 0.03).alias("last_name"),
        pl.when(pl.Series(phone_style == 0))
        .then(pl.col("phone"))
        .when(pl.Series(phone_style == 1))
        .then(pl.format("+1{}555{}", "area", pl.col("line_no").cast(pl.String).str.zfill(4)))
        .otherwise(pl.format("({}) 555-{}", "area", pl.col("line_no").cast(pl.String).str.zfill(4)))
        .alias("phone_txt"),
        pl.Series("has_work", has_work),
        pl.Series("has_home", has_home),
        pl.Series("has_phone", has_phone),
        pl.Series("joined", joined),
        pl.Series("site", site),
        pl.Series("site_style", rng.integers(0, 3, n)),
        pl.Series("notes", pick([*NOTES, ""], np.where(notes < 0, len(NOTES), notes), "notes")),
        pl.Series("labels", pick(labels, rng.choice(len(labels), size=n, p=[0.6, 0.1, 0.2, 0.1]), "labels")),
        pl.lit(False).alias("other"),
    )
    # "Other Contacts": mail correspondents saved automatically, address only
    others = mail_partners.join(rows.select("owner", "contact"), on=["owner", "contact"], how="anti")
    others = others.filter(pl.Series(rng.random(others.height) < 0.5))
    others = (
        others.join(info, on="contact", how="left")
        .with_columns(
            pl.col("address").alias("work_email"),
            pl.lit(True).alias("has_work"),
            pl.lit(False).alias("has_home"),
            pl.lit(False).alias("has_phone"),
            pl.lit(False).alias("joined"),
            pl.lit(False).alias("site"),
            pl.lit(0, pl.Int64).alias("site_style"),
            pl.lit("").alias("notes"),
            pl.lit("* other").alias("labels"),
            pl.lit(True).alias("other"),
            pl.lit("").alias("phone_txt"),
        )
        .drop("address")
    )
    rows = pl.concat([rows, others.select(rows.columns)]).with_columns(
        pl.Series("k", rng.random(rows.height + others.height))
    )
    rows = rows.sort("owner", "k")
    e = pl.lit("")
    site_url = (
        pl.when(pl.col("site_style") == 0)
        .then(pl.format("https://www.linkedin.com/in/{}/", "linkedin_slug"))
        .when(pl.col("site_style") == 1)
        .then(pl.format("linkedin.com/in/{}", "linkedin_slug"))
        .otherwise(pl.format("https://uk.linkedin.com/in/{}?originalSubdomain=uk", "linkedin_slug"))
    )
    email1 = (
        pl.when(pl.col("joined"))
        .then(pl.format("{} ::: {}", "work_email", "personal_email"))
        .when(pl.col("has_work"))
        .then(pl.col("work_email"))
        .when(pl.col("has_home"))
        .then(pl.col("personal_email"))
        .otherwise(e)
    )
    email1_label = (
        pl.when(pl.col("joined"))
        .then(pl.lit("* Work ::: Home"))
        .when(pl.col("has_work"))
        .then(pl.lit("* Work"))
        .when(pl.col("has_home"))
        .then(pl.lit("* Home"))
        .otherwise(e)
    )
    second = pl.col("has_work") & pl.col("has_home") & ~pl.col("joined")
    other = pl.col("other")
    truth = []
    for (owner,), part in rows.group_by("owner", maintain_order=True):
        rel = f"exports/{dirs[owner]}/contacts.csv"
        cols = {
            "First Name": pl.when(other).then(pl.col("work_email")).otherwise(pl.col("first_name")),
            "Last Name": pl.when(other).then(e).otherwise(pl.col("last_name")),
            "Organization Name": pl.when(other).then(e).otherwise(pl.col("company")),
            "Organization Title": pl.when(other).then(e).otherwise(pl.col("title")),
            "Organization Department": pl.when(other).then(e).otherwise(pl.col("department")),
            "Notes": pl.col("notes"),
            "Labels": pl.when(other).then(pl.lit("* Other Contacts")).otherwise(pl.col("labels")),
            "E-mail 1 - Label": pl.when(other).then(pl.lit("* Other")).otherwise(email1_label),
            "E-mail 1 - Value": pl.when(other).then(pl.col("work_email")).otherwise(email1),
            "E-mail 2 - Label": pl.when(second).then(pl.lit("Home")).otherwise(e),
            "E-mail 2 - Value": pl.when(second).then(pl.col("personal_email")).otherwise(e),
            "Phone 1 - Label": pl.when(pl.col("has_phone")).then(pl.lit("Mobile")).otherwise(e),
            "Phone 1 - Value": pl.when(pl.col("has_phone")).then(pl.col("phone_txt")).otherwise(e),
            "Address 1 - Label": pl.when(~other & pl.col("has_phone")).then(pl.lit("Work")).otherwise(e),
            "Address 1 - City": pl.when(~other & pl.col("has_phone")).then(pl.col("city")).otherwise(e),
            "Website 1 - Label": pl.when(pl.col("site")).then(pl.lit("Profile")).otherwise(e),
            "Website 1 - Value": pl.when(pl.col("site")).then(site_url).otherwise(e),
        }
        body = part.select([cols[h].alias(h) if h in cols else e.alias(h) for h in GOOGLE_HEADER])
        header = ",".join(GOOGLE_HEADER) + "\n"
        (out / rel).write_bytes("\ufeff".encode() + header.encode() + write_rows(body))
        extra = _line_counts(body, "Notes") + 1
        lines = 2 + np.concatenate([[0], np.cumsum(extra)[:-1]]).astype(np.int64)
        truth.append(
            pl.DataFrame(
                {
                    "file": rel,
                    "format": "google-csv",
                    "role": "contact",
                    "line": lines,
                    "address": None,
                    "person_id": part["contact"],
                },
                schema=TRUTH_SCHEMA,
            )
        )
    return truth


# ------------------------------------------------------------------ mail (mbox)
def _display(name: pl.Expr, style: pl.Expr, addr: pl.Expr, first: pl.Expr, last: pl.Expr) -> pl.Expr:
    """``Name <addr>`` in a few real-world shapes; non-ASCII names as RFC 2047 encoded words."""
    return (
        pl.when(style == 0)
        .then(pl.format("{} <{}>", name, addr))
        .when(style == 1)
        .then(pl.format('"{}, {}" <{}>', last, first, addr))
        .when(style == 2)
        .then(pl.format("<{}>", addr))
        .otherwise(addr)
    )


def _encode_names(s: pl.Series) -> pl.Series:
    vals = s.to_list()
    uniq = {v for v in vals if v and not v.isascii()}
    enc = {v: "=?UTF-8?B?" + base64.b64encode(v.encode()).decode() + "?=" for v in sorted(uniq)}
    return pl.Series(s.name, [enc.get(v, v) for v in vals], dtype=pl.String)


def mail_messages(
    ego: pl.DataFrame, ppl: pl.DataFrame, team: np.ndarray, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Messages (one row each) and their participants (message, person, address, role)."""
    rng = rng_for(seed, 6)
    close = ego["closeness"].to_numpy()
    began = ego["began"].to_numpy()
    years = (END - began) / YEAR
    lam = np.minimum(0.9 * close * np.sqrt(years + 0.2) * np.where(ego["colleague"].to_numpy(), 2.5, 1.0), 60)
    k = rng.poisson(lam)
    idx = np.repeat(np.arange(ego.height), k)
    m = idx.shape[0]
    msg = ego[idx.tolist()].select("owner", "contact", "colleague", "contact_company")
    ts = began[idx] + (rng.random(m) ** 0.6 * (END - began[idx])).astype(np.int64)
    outgoing = rng.random(m) < 0.5
    # which address each contact is written to: mostly work; personal for some pairs, old work mail before a switch
    personal_pair = rng.random(ego.height) < 0.18
    use_personal = personal_pair[idx] ^ (rng.random(m) < 0.06)
    msg = msg.with_columns(
        pl.Series("ts", ts),
        pl.Series("outgoing", outgoing),
        pl.Series("personal", use_personal),
        pl.Series("owner_personal", rng.random(m) < 0.03),
    )
    # Cc: colleagues of the owner (team mates) or people at the contact's company
    is_team = np.zeros(ppl.height, dtype=bool)
    is_team[team] = True
    n_cc = rng.choice(4, size=m, p=[0.72, 0.17, 0.08, 0.03])
    cc_msg = np.repeat(np.arange(m), n_cc)
    ego_sorted = ego.with_row_index("e").sort("owner", "contact_company", "contact")
    key = ego_sorted["owner"].to_numpy().astype(np.int64) * (ppl.height + 1) + ego_sorted["contact_company"].to_numpy()
    mk = msg["owner"].to_numpy().astype(np.int64) * (ppl.height + 1) + msg["contact_company"].to_numpy()
    lo = np.searchsorted(key, mk[cc_msg], side="left")
    hi = np.searchsorted(key, mk[cc_msg], side="right")
    cc = ego_sorted["contact"].to_numpy()[lo + (rng.random(cc_msg.shape[0]) * (hi - lo)).astype(np.int64)]
    team_cc = rng.random(cc_msg.shape[0]) < 0.35
    own = msg["owner"].to_numpy()
    mates = team[rng.integers(0, team.shape[0], cc_msg.shape[0])]
    cc = np.where(team_cc, mates, cc)
    ok = (cc != msg["contact"].to_numpy()[cc_msg]) & (cc != own[cc_msg])
    msg = msg.with_row_index("mid").with_columns(pl.col("mid").cast(pl.Int64))
    parts = pl.concat(
        [
            msg.select(
                "mid",
                pl.col("owner").alias("person"),
                pl.when(pl.col("outgoing")).then(pl.lit("from")).otherwise(pl.lit("to")).alias("field"),
                pl.col("owner_personal").alias("personal"),
                pl.lit(True).alias("is_owner"),
            ),
            msg.select(
                "mid",
                pl.col("contact").alias("person"),
                pl.when(pl.col("outgoing")).then(pl.lit("to")).otherwise(pl.lit("from")).alias("field"),
                "personal",
                pl.lit(False).alias("is_owner"),
            ),
            pl.DataFrame(
                {
                    "mid": cc_msg[ok].astype(np.int64),
                    "person": cc[ok],
                    "field": "cc",
                    "personal": rng.random(int(ok.sum())) < 0.05,
                    "is_owner": False,
                }
            ),
        ]
    ).unique(["mid", "person"], keep="first", maintain_order=True)
    addr = ppl.select(
        pl.col("person_id").alias("person"),
        "work_email",
        "personal_email",
        "prev_email",
        "switch_at",
        "first_name",
        "last_name",
    )
    parts = parts.join(msg.select("mid", "ts", "owner"), on="mid").join(addr, on="person", how="left")
    parts = parts.with_columns(
        pl.when(pl.col("personal"))
        .then(pl.col("personal_email"))
        .when(pl.col("prev_email").is_not_null() & (pl.col("ts") < pl.col("switch_at")))
        .then(pl.col("prev_email"))
        .otherwise(pl.col("work_email"))
        .alias("address"),
    ).sort("mid", "field", "person")
    return msg, parts


def mbox_files(
    msg: pl.DataFrame, parts: pl.DataFrame, ppl: pl.DataFrame, dirs: dict[int, str], out: Path, seed: int
) -> list[pl.DataFrame]:
    rng = rng_for(seed, 7)
    n = parts.height
    style = rng.choice(4, size=n, p=[0.62, 0.1, 0.08, 0.2])
    names = _encode_names(typo(parts.select(pl.format("{} {}", "first_name", "last_name")).to_series(), rng, 0.01))
    parts = parts.with_columns(
        _display(
            pl.Series(names), pl.Series(style), pl.col("address"), pl.col("first_name"), pl.col("last_name")
        ).alias("disp")
    )
    hdr = (
        parts.group_by("mid", "field")
        .agg(pl.col("disp").str.join(", "))
        .pivot(on="field", index="mid", values="disp")
        .sort("mid")
    )
    for f in ("from", "to", "cc"):
        if f not in hdr.columns:
            hdr = hdr.with_columns(pl.lit(None, pl.String).alias(f))
    m = msg.height
    tz = rng.choice([-8, -5, 0, 1, 2, 5, 9], size=m)
    msg = msg.join(hdr, on="mid", how="left").with_columns(
        pl.Series("tz", tz),
        pl.Series("subj", pick(SUBJECTS, rng.integers(0, len(SUBJECTS), m), "subj")),
        pl.Series("re", rng.random(m) < 0.4),
        pl.Series("gid", rng.integers(1, 2**62, m)),
        pl.Series("hexid", rng.integers(0, 2**62, m)),
    )
    # noise the importer must skip: newsletters and spam, from addresses that appear nowhere else
    noise = _mail_noise(msg, rng)
    sep_date = _date_col(pl.col("ts"), "%a %b %d %H:%M:%S +0000 %Y")
    local = pl.col("ts") + pl.col("tz") * 3600
    offset = pl.format(
        "{}{}00",
        pl.when(pl.col("tz") < 0).then(pl.lit("-")).otherwise(pl.lit("+")),
        pl.col("tz").abs().cast(pl.String).str.zfill(2),
    )
    date = pl.format("{} {}", _date_col(local, "%a, %d %b %Y %H:%M:%S"), offset)
    labels = (
        pl.when(pl.col("spam"))
        .then(pl.lit("Spam"))
        .when(pl.col("outgoing"))
        .then(pl.lit("Sent"))
        .otherwise(pl.lit("Inbox,Opened,Category Personal"))
    )
    full = pl.concat(
        [msg.with_columns(pl.lit(False).alias("spam"), pl.lit(False).alias("bulk")), noise], how="diagonal_relaxed"
    ).sort("owner", "ts", "mid")
    full = full.with_columns(
        pl.concat_str(
            [
                pl.format("From {}@xxx {}\n", pl.col("gid").cast(pl.String), sep_date),
                pl.format(
                    "X-GM-THRID: {}\nX-Gmail-Labels: {}\nMIME-Version: 1.0\nDate: {}\n",
                    pl.col("gid").cast(pl.String),
                    labels,
                    date,
                ),
                pl.format(
                    "Message-ID: <{}@mail.example>\nFrom: {}\nTo: {}\n",
                    pl.col("hexid").cast(pl.String),
                    pl.col("from"),
                    pl.col("to"),
                ),
                pl.when(pl.col("cc").is_not_null()).then(pl.format("Cc: {}\n", pl.col("cc"))).otherwise(pl.lit("")),
                pl.when(pl.col("bulk"))
                .then(pl.lit("List-Unsubscribe: <mailto:unsubscribe@lists.example>\nPrecedence: bulk\n"))
                .otherwise(pl.lit("")),
                pl.format(
                    'Subject: {}{}\nContent-Type: text/plain; charset="UTF-8"\n\n',
                    pl.when(pl.col("re")).then(pl.lit("Re: ")).otherwise(pl.lit("")),
                    pl.col("subj"),
                ),
                pl.lit("Thanks, see you soon.\n\n"),
            ]
        ).alias("text")
    )
    full = full.with_columns((pl.col("text").str.count_matches("\n")).alias("n_lines"))
    truth = []
    for (owner,), part in full.group_by("owner", maintain_order=True):
        rel = f"exports/{dirs[owner]}/mail.mbox"
        (out / rel).write_bytes("".join(part["text"].to_list()).encode())
        nl = part["n_lines"].to_numpy().astype(np.int64)
        first_line = 1 + np.concatenate([[0], np.cumsum(nl)[:-1]])
        real = part.with_columns(pl.Series("line", first_line)).filter(~pl.col("spam") & ~pl.col("bulk"))
        seen = (
            parts.join(real.select("mid", "line"), on="mid")
            .group_by("address")
            .agg(pl.col("line").min(), pl.col("person").first())
            .sort("address")
        )
        owner_addr = ppl["work_email"][owner]
        seen = seen.filter(pl.col("address") != owner_addr)
        truth.append(
            pl.DataFrame(
                {
                    "file": rel,
                    "format": "mbox",
                    "role": "party",
                    "line": seen["line"],
                    "address": seen["address"],
                    "person_id": seen["person"],
                },
                schema=TRUTH_SCHEMA,
            )
        )
        truth.append(_owner_truth(rel, "mbox", owner))
    return truth


def _mail_noise(msg: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    per_owner = msg.group_by("owner").agg(pl.len().alias("n"), pl.col("ts").min().alias("t0")).sort("owner")
    k = np.maximum(1, (per_owner["n"].to_numpy() * 0.08).astype(np.int64))
    owner = np.repeat(per_owner["owner"].to_numpy(), k)
    m = owner.shape[0]
    owner_to = msg.group_by("owner").agg(pl.col("to").filter(~pl.col("outgoing")).first()).sort("owner")
    to = dict(zip(owner_to["owner"].to_list(), owner_to["to"].to_list(), strict=True))
    spam = rng.random(m) < 0.3
    sender = np.where(
        spam,
        pl.Series(rng.integers(0, 10**6, m)).cast(pl.String).to_numpy(),
        pl.Series(rng.integers(0, 40, m)).cast(pl.String).to_numpy(),
    )
    return pl.DataFrame(
        {
            "mid": -1 - np.arange(m, dtype=np.int64),
            "owner": owner,
            "ts": START + (rng.random(m) * (END - START)).astype(np.int64),
            "outgoing": False,
            "from": [
                f"Offers <deals{s}@promo.example>" if sp else f"Weekly Digest <news{s}@lists.example>"
                for s, sp in zip(sender.tolist(), spam.tolist(), strict=True)
            ],
            "to": [to.get(int(o)) or "undisclosed-recipients:;" for o in owner.tolist()],
            "cc": None,
            "tz": 0,
            "subj": "Your weekly digest",
            "re": False,
            "gid": rng.integers(1, 2**62, m),
            "hexid": rng.integers(0, 2**62, m),
            "spam": spam,
            "bulk": ~spam,
        }
    )


def _owner_truth(rel: str, fmt: str, owner: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"file": [rel], "format": [fmt], "role": ["owner"], "line": [None], "address": [None], "person_id": [owner]},
        schema=TRUTH_SCHEMA,
    )


# ------------------------------------------------------------------ calendar (.ics)
def _fold(line: pl.Expr) -> pl.Expr:
    """RFC 5545 folding at 74 characters: CRLF and a space before each continuation."""
    pieces = [line.str.slice(0, 74)] + [
        pl.when(line.str.len_chars() > 74 + 73 * i)
        .then(pl.format("\r\n {}", line.str.slice(74 + 73 * i, 73)))
        .otherwise(pl.lit(""))
        for i in range(4)
    ]
    return pl.concat_str(pieces)


def ics_files(
    ego: pl.DataFrame, ppl: pl.DataFrame, team: np.ndarray, dirs: dict[int, str], out: Path, seed: int
) -> list[pl.DataFrame]:
    rng = rng_for(seed, 8)
    close = ego["closeness"].to_numpy()
    began = ego["began"].to_numpy()
    lam = np.minimum(
        0.35 * close * np.where(ego["colleague"].to_numpy(), 2.0, 1.0) * np.sqrt((END - began) / YEAR + 0.2), 25
    )
    k = rng.poisson(lam)
    idx = np.repeat(np.arange(ego.height), k)
    m = idx.shape[0]
    ev = (
        ego[idx.tolist()]
        .select("owner", "contact", "contact_company")
        .with_row_index("eid")
        .with_columns(pl.col("eid").cast(pl.Int64))
    )
    day = began[idx] + (rng.random(m) * (END - began[idx])).astype(np.int64)
    ts = day - day % 86_400 + 8 * 3600 + 900 * rng.integers(0, 40, m)  # a quarter hour between 08:00 and 18:00 UTC
    organiser_is_owner = rng.random(m) < 0.55
    # extra attendees: people at the contact's company the owner knows, or team mates
    n_extra = rng.choice(5, size=m, p=[0.55, 0.22, 0.12, 0.07, 0.04])
    x_ev = np.repeat(np.arange(m), n_extra)
    ego_sorted = ego.sort("owner", "contact_company", "contact")
    key = ego_sorted["owner"].to_numpy().astype(np.int64) * (ppl.height + 1) + ego_sorted["contact_company"].to_numpy()
    mk = ev["owner"].to_numpy().astype(np.int64) * (ppl.height + 1) + ev["contact_company"].to_numpy()
    lo = np.searchsorted(key, mk[x_ev], side="left")
    hi = np.searchsorted(key, mk[x_ev], side="right")
    extra = ego_sorted["contact"].to_numpy()[lo + (rng.random(x_ev.shape[0]) * (hi - lo)).astype(np.int64)]
    extra = np.where(rng.random(x_ev.shape[0]) < 0.3, team[rng.integers(0, team.shape[0], x_ev.shape[0])], extra)
    att = (
        pl.concat(
            [
                ev.select("eid", pl.col("owner").alias("person"), pl.lit(0, pl.Int64).alias("order")),
                ev.select("eid", pl.col("contact").alias("person"), pl.lit(1, pl.Int64).alias("order")),
                pl.DataFrame(
                    {
                        "eid": x_ev.astype(np.int64),
                        "person": extra,
                        "order": (2 + np.arange(x_ev.shape[0]) % 7).astype(np.int64),
                    }
                ),
            ]
        )
        .unique(["eid", "person"], keep="first", maintain_order=True)
        .sort("eid", "order", "person")
    )
    na = att.height
    status = rng.choice(4, size=na, p=[0.8, 0.08, 0.07, 0.05])
    att = att.with_columns(
        pl.Series("partstat", pick(["ACCEPTED", "TENTATIVE", "NEEDS-ACTION", "DECLINED"], status, "s"))
    )
    att = att.join(
        ppl.select(pl.col("person_id").alias("person"), "first_name", "last_name", "work_email"),
        on="person",
        how="left",
    )
    names = _ics_name(pl.format("{} {}", pl.col("first_name"), pl.col("last_name")))
    att = att.with_columns(
        pl.when(pl.col("order") == 0).then(pl.lit("ACCEPTED")).otherwise(pl.col("partstat")).alias("partstat"),
        _fold(
            pl.format(
                "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={};CN={};X-NUM-GUESTS=0:mailto:{}",
                pl.col("partstat"),
                names,
                pl.col("work_email"),
            )
        ).alias("line"),
    )
    # the organiser: the owner or the contact
    org = att.join(ev.select("eid", pl.Series("oo", organiser_is_owner)), on="eid").filter(
        pl.when(pl.col("oo")).then(pl.col("order") == 0).otherwise(pl.col("order") == 1)
    )
    org = org.select("eid", _fold(pl.format("ORGANIZER;CN={}:mailto:{}", names, pl.col("work_email"))).alias("org"))
    att_txt = att.group_by("eid").agg(pl.col("line").sort_by("order", "person").str.join("\r\n").alias("att"))
    rooms = rng.random(m) < 0.1
    weekly = rng.random(m) < 0.03
    tzid = rng.random(m) < 0.2
    ev = (
        ev.join(org, on="eid")
        .join(att_txt, on="eid")
        .sort("eid")
        .with_columns(
            pl.Series("ts", ts),
            pl.Series("room", rooms),
            pl.Series("weekly", weekly),
            pl.Series("tzid", tzid),
            pl.Series("summary", pick(MEETINGS, rng.integers(0, len(MEETINGS), m), "summary")),
            pl.Series("uid", rng.integers(0, 2**62, m)),
            pl.Series("cancel", rng.random(m) < 0.03),
        )
    )
    start = (
        pl.when(pl.col("tzid"))
        .then(pl.format("DTSTART;TZID=Europe/London:{}", _date_col(pl.col("ts"), "%Y%m%dT%H%M%S")))
        .otherwise(pl.format("DTSTART:{}", _date_col(pl.col("ts"), "%Y%m%dT%H%M%SZ")))
    )
    end = (
        pl.when(pl.col("tzid"))
        .then(pl.format("DTEND;TZID=Europe/London:{}", _date_col(pl.col("ts") + 1800, "%Y%m%dT%H%M%S")))
        .otherwise(pl.format("DTEND:{}", _date_col(pl.col("ts") + 1800, "%Y%m%dT%H%M%SZ")))
    )
    ev = ev.with_columns(
        pl.concat_str(
            [
                pl.lit("BEGIN:VEVENT\r\n"),
                start,
                pl.lit("\r\n"),
                end,
                pl.lit("\r\n"),
                pl.when(pl.col("weekly")).then(pl.lit("RRULE:FREQ=WEEKLY;COUNT=8\r\n")).otherwise(pl.lit("")),
                pl.format("DTSTAMP:{}\r\n", _date_col(pl.col("ts") - 7 * 86_400, "%Y%m%dT%H%M%SZ")),
                pl.col("org"),
                pl.lit("\r\n"),
                pl.format("UID:{}@google.com\r\n", pl.col("uid").cast(pl.String)),
                pl.col("att"),
                pl.lit("\r\n"),
                pl.when(pl.col("room"))
                .then(
                    pl.lit(
                        "ATTENDEE;CUTYPE=ROOM;ROLE=NON-PARTICIPANT;PARTSTAT=ACCEPTED;"
                        "CN=Room 4.01:mailto:c_1881b5e0e5d8@resou\r\n"
                        " rce.calendar.google.com\r\n"
                    )
                )
                .otherwise(pl.lit("")),
                pl.format("SUMMARY:{}\r\n", pl.col("summary")),
                pl.when(pl.col("cancel"))
                .then(pl.lit("STATUS:CANCELLED\r\n"))
                .otherwise(pl.lit("STATUS:CONFIRMED\r\n")),
                pl.lit("TRANSP:OPAQUE\r\nEND:VEVENT\r\n"),
            ]
        ).alias("text")
    )
    truth = []
    for (owner,), part in ev.group_by("owner", maintain_order=True):
        rel = f"exports/{dirs[owner]}/calendar.ics"
        owner_addr = ppl["work_email"][owner]
        head = (
            "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
            f"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:{owner_addr}\r\nX-WR-TIMEZONE:UTC\r\n"
        )
        (out / rel).write_bytes((head + "".join(part["text"].to_list()) + "END:VCALENDAR\r\n").encode())
        seen = (
            att.join(part.filter(~pl.col("cancel")).select("eid"), on="eid")
            .filter(pl.col("work_email") != owner_addr)
            .group_by("work_email")
            .agg(pl.col("person").first())
            .sort("work_email")
        )
        truth.append(
            pl.DataFrame(
                {
                    "file": rel,
                    "format": "ics",
                    "role": "party",
                    "line": None,
                    "address": seen["work_email"],
                    "person_id": seen["person"],
                },
                schema=TRUTH_SCHEMA,
            )
        )
        truth.append(_owner_truth(rel, "ics", owner))
    return truth


def _ics_name(name: pl.Expr) -> pl.Expr:
    return pl.when(name.str.contains(r"[,;:]")).then(pl.format('"{}"', name)).otherwise(name)


# ------------------------------------------------------------------ main
def generate(
    out: Path, *, people: int, team: int, seed: int, degree: float = 20.0, shared_phone_rate: float = 0.003, log=print
) -> dict:
    """Write a synthetic population and its exports to ``out``; returns the manifest."""
    if people < max(50, 4 * team):
        msg = f"--people must be at least 50 and four times the team ({4 * team}), got {people}"
        raise ValueError(msg)
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    ppl, _comp = make_people(people, team, seed)
    rng = rng_for(seed, 9)
    in_team_co = np.flatnonzero(ppl["company_idx"].to_numpy() == 0)
    team_ids = np.sort(rng.choice(in_team_co, size=team, replace=False))
    # households sharing a phone (never the team)
    share = np.flatnonzero(rng.random(people) < shared_phone_rate)
    share = share[~np.isin(share, team_ids)]
    partner = rng.integers(0, people, share.shape[0])
    ok = ~np.isin(partner, team_ids) & (partner != share)
    phone = ppl["phone"].to_numpy().astype(object)
    phone[partner[ok]] = phone[share[ok]]
    is_team = np.zeros(people, dtype=bool)
    is_team[team_ids] = True
    ppl = ppl.with_columns(pl.Series("phone", phone.tolist(), dtype=pl.String), pl.Series("is_team", is_team))
    log(f"people: {people:,} at {ppl['company_idx'].n_unique():,} companies ({time.perf_counter() - t0:.1f} s)")

    edges, touches = make_edges(ppl, team_ids, degree=degree, seed=seed)
    write_edges(out / "edges.txt", edges, people, seed)
    log(f"ties: {edges.shape[0]:,} written to edges.txt ({time.perf_counter() - t0:.1f} s)")

    dirs = owner_dirs(ppl, team_ids)
    for d in dirs.values():
        (out / "exports" / d).mkdir(parents=True, exist_ok=True)
    ego = ego_ties(ppl, edges, touches, team_ids, seed)
    truth = linkedin_files(ego, ppl, dirs, out, seed)
    msg, parts = mail_messages(ego, ppl, team_ids, seed)
    partners = (
        parts.filter(~pl.col("is_owner"))
        .join(msg.select("mid", "owner"), on="mid")
        .select("owner", pl.col("person").alias("contact"), "address")
        .unique(["owner", "contact"], keep="first", maintain_order=True)
    )
    truth += google_files(ego, partners, ppl, dirs, out, seed)
    truth += mbox_files(msg, parts, ppl, dirs, out, seed)
    truth += ics_files(ego, ppl, team_ids, dirs, out, seed)
    for owner, d in dirs.items():
        for name, fmt in (("Connections.csv", "linkedin-connections"), ("contacts.csv", "google-csv")):
            if (out / "exports" / d / name).exists():
                truth.append(_owner_truth(f"exports/{d}/{name}", fmt, owner))
    truth_df = pl.concat(truth).sort("file", "role", "line", "address", nulls_last=True)
    truth_df.write_parquet(out / "truth.parquet", statistics=False)
    keep_cols = [
        "person_id",
        "first_name",
        "last_name",
        "company",
        "company_idx",
        "dept",
        "department",
        "title",
        "city",
        "work_email",
        "personal_email",
        "prev_email",
        "phone",
        "linkedin_slug",
        "theta",
        "is_team",
    ]
    ppl.select(keep_cols).rename({"company_idx": "company_id", "dept": "department_id"}).write_parquet(
        out / "people.parquet", statistics=False
    )
    log(
        f"exports for {team} team members, {truth_df.height:,} records in truth.parquet "
        f"({time.perf_counter() - t0:.1f} s)"
    )

    files = []
    for owner, d in dirs.items():
        label = ppl["work_email"][owner]
        for name, fmt in (
            ("Connections.csv", "linkedin-connections"),
            ("contacts.csv", "google-csv"),
            ("mail.mbox", "mbox"),
            ("calendar.ics", "ics"),
        ):
            if (out / "exports" / d / name).exists():
                files.append({"file": f"exports/{d}/{name}", "format": fmt, "owner": label, "owner_id": owner})
    manifest = {
        "generator": "scripts/make_synthetic.py",
        "seed": seed,
        "people": people,
        "team": team,
        "degree": degree,
        "ties": int(edges.shape[0]),
        "records": truth_df.height,
        "messages": int(msg.height),
        "team_ids": [int(t) for t in team_ids],
        "files": files,
        "end": "2025-12-31T00:00:00Z",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="output folder (created)")
    ap.add_argument("--people", type=int, default=10_000, help="population size (default 10,000)")
    ap.add_argument("--team", type=int, default=50, help="team members with exports (default 50)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--degree", type=float, default=20.0, help="mean degree of the true graph (default 20)")
    ap.add_argument(
        "--shared-phone-rate",
        type=float,
        default=0.003,
        help="share of people who share a phone with someone else (default 0.003)",
    )
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    generate(
        args.out,
        people=args.people,
        team=args.team,
        seed=args.seed,
        degree=args.degree,
        shared_phone_rate=args.shared_phone_rate,
        log=(lambda *_: None) if args.quiet else print,
    )
    if not args.quiet:
        print(f"done in {time.perf_counter() - t0:.1f} s: {args.out}")


if __name__ == "__main__":
    main()
