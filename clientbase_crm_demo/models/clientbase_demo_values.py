"""Plain-Python builders of demo values (no ORM here): Russian names, +7 phones, addresses,
birthdays, personal details and the purchase plan of the demo base generator.
Every function draws from the ``random.Random`` it is given, so a seed gives
the same base every time."""

import calendar
from datetime import date, timedelta

from . import clientbase_demo_data as data

HISTORY_DAYS = 730
# purchase profile: (share of buying-capable clients, min orders, max orders)
PROFILES = {
    "never": (0.33, 0, 0),
    "once": (0.37, 1, 1),
    "occasional": (0.21, 2, 4),
    "frequent": (0.09, 5, 14),
}


def quota(rng, total, shares):
    """A shuffled list of ``total`` kinds in the given shares, each kind present at least once."""
    kinds = []
    for kind, share in shares.items():
        kinds += [kind] * max(1, round(total * share))
    kinds = kinds[:total] if len(kinds) >= total else kinds + [kinds[-1]] * (total - len(kinds))
    rng.shuffle(kinds)
    return kinds


def birthday(rng, today, kind):
    """A past birthday: ``leap`` (Feb 29), ``soon`` (in the next 12 days) or any other day."""
    if kind == "leap":
        return date(rng.choice([1964, 1972, 1980, 1988, 1996, 2000]), 2, 29)
    if kind == "soon":
        soon = today + timedelta(days=rng.randint(0, 12))
        year = rng.randint(1960, 2002)
        while soon.month == 2 and soon.day == 29 and not calendar.isleap(year):
            year += 1
        return soon.replace(year=year)
    return date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28))


def phone(rng, landline=None):
    """A Russian number in the international format: a mobile, or a landline of the area code."""
    if landline:
        return f"+7 ({landline}) {rng.randint(200, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    return f"+7 (9{rng.randint(10, 99)}) {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"


def person(rng, seq, domain="example.ru"):
    """(full name, email, phone, gender) of a Russian person: surname, first name, patronymic."""
    female = rng.random() < 0.5
    last = rng.choice(data.RU_LAST)
    patronymic = rng.choice(data.RU_PATRONYMICS)
    if female:
        first, last, patronymic = rng.choice(data.RU_FEMALE_FIRST), last + "а", patronymic[1]
    else:
        first, patronymic = rng.choice(data.RU_MALE_FIRST), patronymic[0]
    email = f"{data.to_latin(first)}.{data.to_latin(last)}{seq}@{domain}"
    return f"{last} {first} {patronymic}", email, phone(rng), "female" if female else "male"


def company(rng, seq):
    """(name, web domain, job positions) of a Russian company; an individual entrepreneur (ИП)
    is named after its owner."""
    word = rng.choice(data.RU_COMPANY_WORDS)
    form = rng.choice(data.RU_COMPANY_FORMS)
    if form == "ИП":
        owner, __, __, __ = person(rng, seq)
        last, first, patronymic = owner.split(" ")
        name = f"ИП {last} {first[0]}. {patronymic[0]}."
        site = f"{data.to_latin(last)}{seq}.example.ru"
    else:
        name = f"{form} «{word}-{seq}»"
        site = f"{data.to_latin(word)}{seq}.example.ru"
    return name, site, data.JOB_POSITIONS_RU


def address(rng, country_id):
    """Address values of a Russian city, and the area code of its landlines."""
    city, area, streets = rng.choice(data.RU_CITIES)
    street = f"{rng.choice(streets)}, д. {rng.randint(1, 120)}"
    if rng.random() < 0.5:
        street += f", кв. {rng.randint(1, 240)}"
    vals = {
        "city": city,
        "street": street,
        "zip": f"{data.RU_POSTCODES[city]}{rng.randint(0, 999):03d}",
        "country_id": country_id,
    }
    return vals, area


def qualification(rng, today, manager_id):
    """Qualification values of a qualified client."""
    worth = rng.random() < 0.75
    return {
        "client_qualification": "worth" if worth else "not_worth",
        "client_qualification_reason": rng.choice(data.REASONS_WORTH if worth else data.REASONS_NOT_WORTH),
        "client_needs": rng.choice(data.NEEDS),
        "client_pains": rng.choice(data.PAINS),
        "client_budget": rng.choice([50000, 100000, 250000, 500000, 1000000, 2500000]),
        "client_qualified_date": today - timedelta(days=rng.randint(1, HISTORY_DAYS)),
        "client_qualified_by_id": manager_id,
    }


def personal(rng, today, birthday_kind, gender):
    """Informal details of a B2C client (birthday, gender, family, tastes)."""
    vals = {
        "client_gender": gender,
        "client_birthday": birthday(rng, today, birthday_kind) if birthday_kind else False,
        "client_family_status": rng.choice(
            ["single", "married", "married", "partnership", "divorced", False]
        ),
        "client_profession": rng.choice(data.PROFESSIONS),
        "client_income_band": rng.choice(["low", "middle", "middle", "high", False]),
    }
    if rng.random() < 0.5:
        vals["client_children_count"] = rng.randint(1, 3)
        vals["client_children_note"] = rng.choice(data.CHILDREN_NOTES)
    if rng.random() < 0.3:
        vals["client_pets"] = rng.choice(data.PETS)
    if rng.random() < 0.4:
        vals["client_favourite_brand"] = rng.choice(data.BRANDS)
    if rng.random() < 0.4:
        vals["client_gift_preferences"] = rng.choice(data.GIFTS)
    return vals


def order_plan(rng, buyers, now):
    """[(partner, order datetime, final state)] for two years of history, skewed by profile:
    some clients buy often (spread over the whole window), many once, many never."""
    profiles = quota(rng, len(buyers), {kind: profile[0] for kind, profile in PROFILES.items()})
    plan = []
    for partner, profile in zip(buyers, profiles, strict=True):
        __, low, high = PROFILES[profile]
        count = rng.randint(low, high)
        for i in range(count):
            if profile == "frequent":
                days = HISTORY_DAYS * (i + rng.random()) / count
            else:
                days = rng.random() * HISTORY_DAYS
            when = now - timedelta(days=days, hours=rng.randint(0, 8), minutes=rng.randint(0, 59))
            roll = rng.random()
            if days < 30 and roll < 0.3:
                state = "draft"  # recent quotations still open
            elif roll > 0.88:
                state = "cancel"
            else:
                state = "sale"
            plan.append((partner, when, state))
    if plan and not any(state == "cancel" for __, __, state in plan):
        plan[0] = (plan[0][0], plan[0][1], "cancel")
    return plan
