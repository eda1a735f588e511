"""Hand-made record fixtures for the ETL tests, written without any ETL code.

``TINY`` is the 12-person fixture whose expected numbers are derived by hand in
``tests/etl/README.md``; ``MESSY`` holds one row per fault kind; ``random_records`` makes a larger
valid file for the independent re-computation. IDs are built here with their own check digit.
"""

from __future__ import annotations

import csv
import random
from fractions import Fraction
from pathlib import Path

FIELDS = [
    "person_id", "sex", "birth_date", "marital_status", "hukou_code", "residence_code",
    "arrival_date", "period", "cert_issued", "cert_verified", "health_check", "contraception",
    "free_service", "pregnancy_check", "free_contraceptives", "prepregnancy_consult", "policy_aware",
]
FLAGS = FIELDS[8:]
CHINESE = {
    "person_id": "公民身份号码", "sex": "性别", "birth_date": "出生日期", "marital_status": "婚姻状况",
    "hukou_code": "户籍地行政区划代码", "residence_code": "现居住地行政区划代码", "arrival_date": "流入日期",
    "period": "统计期", "cert_issued": "婚育证明办理", "cert_verified": "婚育证明查验", "health_check": "康检",
    "contraception": "节育措施落实", "free_service": "免费技术服务", "pregnancy_check": "孕检",
    "free_contraceptives": "免费药具", "prepregnancy_consult": "孕前优生咨询", "policy_aware": "政策知晓",
}

# counties of the tiny fixture
P, X, W, N, G, Z = "310115", "310104", "320211", "360102", "440106", "410102"


def check_char(first17: str) -> str:
    """GB 11643 MOD 11-2 check character."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def national_id(area: str, birth: str, sequence: int) -> str:
    """An 18-character ID: area code, birth date YYYY-MM-DD, 3-digit sequence, check character."""
    first17 = f"{area}{birth.replace('-', '')}{sequence:03d}"
    return first17 + check_char(first17)


def record(
    sex: int, birth: str, marital: int, hukou: str, residence: str, flags: str,
    period: str = "2010-01", arrival: str = "2008-06-15", sequence: int | None = None,
) -> dict[str, str]:
    """A record; ``flags`` is nine 0/1 characters in the order of ``FLAGS``."""
    seq = sequence if sequence is not None else (11 if sex == 1 else 12)
    row = {
        "person_id": national_id(hukou, birth, seq),
        "sex": str(sex),
        "birth_date": birth,
        "marital_status": str(marital),
        "hukou_code": hukou,
        "residence_code": residence,
        "arrival_date": arrival,
        "period": period,
    }
    row.update({name: flag for name, flag in zip(FLAGS, flags, strict=True)})
    return row


#            sex birth         mar hukou res  flags: issued verified health contra free preg drugs consult aware
TINY = [
    record(2, "1980-05-10", 20, Z, P, "111111111"),  # r1  F 29 married
    record(2, "1985-03-03", 10, Z, P, "110000001"),  # r2  F 24 single
    record(1, "1970-07-07", 21, Z, P, "000000101"),  # r3  M 39 married
    record(2, "1958-06-01", 20, N, P, "111111111"),  # r4  F 51 married (over 49)
    record(2, "1994-09-09", 10, X, P, "010000000"),  # r5  F 15 single
    record(1, "1992-12-12", 10, P, P, "000000000"),  # r6  M 17 single, diagonal
    record(2, "1975-02-02", 22, N, G, "111111101"),  # r7  F 34 married
    record(2, "1960-01-02", 20, W, P, "101110011"),  # r8  F 49 (50 the next day) married
    record(2, "1995-01-01", 10, W, P, "110000000"),  # r9  F 15 on the period's first day
    record(2, "1995-01-02", 10, W, P, "111111111"),  # r10 F 14
    record(1, "1950-03-03", 20, W, P, "111111111"),  # r11 M 59 married
    record(2, "1988-08-08", 23, P, X, "011011111"),  # r12 F 21 married (复婚)
]

TINY_FEBRUARY = [dict(row, period="2010-02") for row in TINY[:3]]


def _messy() -> tuple[list[dict[str, str]], dict[int, str]]:
    """Rows with one injected fault each (and one with two), and the expected reason per row number."""
    clean = record(2, "1980-05-10", 20, Z, P, "111111111", sequence=22)
    rows: list[dict[str, str]] = []
    expected: dict[int, str] = {}

    def add(row: dict[str, str], reason: str | None) -> None:
        rows.append(row)
        if reason:
            expected[len(rows)] = reason

    def variant(seq: int, **changes: str) -> dict[str, str]:
        row = record(2, "1981-04-04", 20, Z, P, "111111111", sequence=seq)
        row.update(changes)
        return row

    add(clean, None)  # 1
    good = variant(30)
    wrong = good["person_id"][:17] + ("0" if good["person_id"][17] != "0" else "1")
    add(dict(good, person_id=wrong), "person_id: check digit wrong")  # 2
    add(variant(32, person_id="410102810404123"), "person_id: 15-digit first-generation ID (convert it to 18 digits)")
    # 130421 邯郸县, split in 2016 between 130402 邯山区 and 130403 丛台区: no single current county
    old = record(2, "1981-04-04", 20, "130421", P, "111111111", sequence=34)
    add(old, "hukou_code: unknown code 130421 (ambiguous split: 130402;130403)")  # 4
    add(variant(36, residence_code="31O115"), "residence_code: malformed code (not 6 digits)")  # 5
    add(variant(38, birth_date="1981-02-30"), "birth_date: impossible date")  # 6
    add(variant(40, arrival_date="2010-02-05"), "arrival_date: after the period's last day")  # 7
    add(variant(42, sex="3"), "sex: not 1/2/男/女")  # 8
    add(variant(44, cert_issued="2"), "cert_issued: not 1/0/是/否")  # 9
    add(dict(clean), "duplicate person-period: same person_id and period as an earlier row (that one is kept)")
    add(variant(46, sex=""), "sex: missing")  # 11
    two = variant(48, arrival_date="2011-01-01")
    two["person_id"] = two["person_id"][:17] + ("0" if two["person_id"][17] != "0" else "1")
    add(two, "person_id: check digit wrong; arrival_date: after the period's last day")  # 12
    add(variant(50, birth_date="1981-04-05"), "person_id: birth date in the ID differs from birth_date")  # 13
    add(variant(52, arrival_date="2009/05/05"), "arrival_date: not a YYYY-MM-DD date")  # 14
    add(variant(54, period="2010-13"), "period: not a YYYY-MM month")  # 15
    add(variant(56, residence_code="810001"), "residence_code: outside the census coverage: 810001")  # 16
    add(variant(58, marital_status="25"), "marital_status: not a GB/T 2261.2 code (10, 20-23, 30, 40, 90 or its word)")
    # valid oddities: a lower-case x check character, spaces around values, words instead of codes
    seq = next(s for s in range(100, 999, 2) if national_id(Z, "1981-04-04", s).endswith("X"))
    x_row = variant(seq)
    x_row["person_id"] = x_row["person_id"][:17] + "x"
    add(x_row, None)  # 18
    add(dict(variant(62), sex=" 2 ", hukou_code=f" {Z}", cert_issued="1 "), None)  # 19
    add(dict(variant(64), sex="女", marital_status="已婚", cert_issued="是", policy_aware="否"), None)  # 20
    return rows, expected


MESSY, MESSY_REASONS = _messy()
MESSY_LOADED = 4  # rows 1, 18, 19, 20


def write_csv(
    path: Path, rows: list[dict[str, str]], *, chinese: bool = False, encoding: str = "utf-8",
    extra: dict[str, list[str]] | None = None,
) -> Path:
    header = [CHINESE[f] if chinese else f for f in FIELDS]
    extra = extra or {}
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header + list(extra))
        for i, row in enumerate(rows):
            writer.writerow([row[f] for f in FIELDS] + [values[i] for values in extra.values()])
    return path


def random_records(n: int, counties: list[str], periods: list[str], seed: int = 7) -> list[dict[str, str]]:
    """``n`` valid records with distinct person-periods, drawn at random."""
    rng = random.Random(seed)
    rows = []
    used: set[tuple[str, str]] = set()
    while len(rows) < n:
        period = rng.choice(periods)
        year = int(period[:4])
        birth = f"{year - rng.randint(1, 70)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if rng.random() < 0.05:  # birthdays on the first of the period's month: the age boundary
            birth = f"{year - rng.choice([15, 18, 49, 50])}-{period[5:]}-0{rng.choice([1, 2])}"
        sex = rng.choice([1, 2])
        hukou = rng.choice(counties)
        residence = hukou if rng.random() < 0.1 else rng.choice(counties)
        seq = rng.randrange(0, 1000)
        if (seq % 2 == 1) != (sex == 1):
            seq = (seq + 1) % 1000
        row = record(
            sex, birth, rng.choice([10, 20, 21, 22, 23, 30, 40, 90]), hukou, residence,
            "".join(rng.choice("0111") for _ in FLAGS), period=period,
            arrival=f"{year - rng.randint(0, 3)}-{period[5:]}-01", sequence=seq,
        )
        if row["arrival_date"] < birth:
            row["arrival_date"] = birth
        key = (row["person_id"], period)
        if key not in used:
            used.add(key)
            rows.append(row)
    return rows


def file_targets() -> tuple[dict[tuple[str, int], Fraction], dict[str, float]]:
    """The packaged target file read independently of ``etl.targets``: ((flag, year) -> target
    as an exact fraction, flag -> weight)."""
    import tomllib

    import etl

    raw = tomllib.loads((Path(etl.__file__).with_name("targets.toml")).read_text(encoding="utf-8"))
    goals = {
        (flag, int(year)): Fraction(str(percent)) / 100
        for flag, entry in raw["indicator"].items()
        for year, percent in entry["targets"].items()
    }
    return goals, {flag: float(entry["weight"]) for flag, entry in raw["indicator"].items()}


def file_target(flag: str, period: str) -> Fraction:
    """The target in force for ``period`` by the packaged file (its year, clipped to the file's)."""
    goals, _ = file_targets()
    years = sorted({y for _, y in goals})
    return goals[(flag, min(max(int(period[:4]), years[0]), years[-1]))]
