"""Plain-Python builders of demo values (no ORM here): names, phones, addresses,
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


def person(rng, seq, ru, domain=None):
    """(name, email, phone) of a Russian or English-speaking person."""
    if rng.random() < 0.5:
        first = rng.choice(data.RU_FEMALE_FIRST if ru else data.EN_FEMALE_FIRST)
        last = rng.choice(data.RU_LAST) + "а" if ru else rng.choice(data.EN_LAST)
    else:
        first = rng.choice(data.RU_MALE_FIRST if ru else data.EN_MALE_FIRST)
        last = rng.choice(data.RU_LAST if ru else data.EN_LAST)
    domain = domain or ("example.ru" if ru else "example.com")
    email = f"{data.to_latin(first)}.{data.to_latin(last)}{seq}@{domain}"
    if ru:
        phone = (
            f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
        )
    else:
        phone = f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}"
    return f"{first} {last}", email, phone


def company(rng, seq, ru):
    """(name, web domain, job positions) of a Russian or English-speaking company."""
    word = rng.choice(data.RU_COMPANY_WORDS if ru else data.EN_COMPANY_WORDS)
    if ru:
        name = f"{rng.choice(data.RU_COMPANY_FORMS)} «{word}-{seq}»"
    else:
        name = f"{word} {seq} {rng.choice(data.EN_COMPANY_FORMS)}"
    site = f"{data.to_latin(word)}{seq}.{'example.ru' if ru else 'example.com'}"
    return name, site, data.JOB_POSITIONS_RU if ru else data.JOB_POSITIONS_EN


def address(rng, ru, country_ids):
    """Address values; ``country_ids`` maps 'ru', 'uk', 'us' to res.country ids."""
    if ru:
        return {
            "city": rng.choice(data.RU_CITIES),
            "street": f"{rng.choice(data.RU_STREETS)}, д. {rng.randint(1, 120)}",
            "zip": str(rng.randint(101000, 199999)),
            "country_id": country_ids["ru"],
        }
    city, country = rng.choice(data.EN_CITIES)
    return {
        "city": city,
        "street": f"{rng.randint(1, 250)} {rng.choice(data.EN_STREETS)}",
        "country_id": country_ids[country],
    }


def qualification(rng, today, manager_id):
    """Qualification values of a qualified client."""
    worth = rng.random() < 0.75
    return {
        "client_qualification": "worth" if worth else "not_worth",
        "client_qualification_reason": rng.choice(data.REASONS_WORTH if worth else data.REASONS_NOT_WORTH),
        "client_needs": rng.choice(data.NEEDS),
        "client_pains": rng.choice(data.PAINS),
        "client_budget": rng.choice([500, 1000, 2500, 5000, 10000, 25000]),
        "client_qualified_date": today - timedelta(days=rng.randint(1, HISTORY_DAYS)),
        "client_qualified_by_id": manager_id,
    }


def personal(rng, today, birthday_kind):
    """Informal details of a B2C client (birthday, family, tastes)."""
    vals = {
        "client_birthday": birthday(rng, today, birthday_kind) if birthday_kind else False,
        "client_family_status": rng.choice(
            ["single", "married", "married", "partnership", "divorced", False]
        ),
        "client_profession": rng.choice(data.PROFESSIONS),
        "client_income_band": rng.choice(["low", "middle", "middle", "high", False]),
    }
    if rng.random() < 0.5:
        vals["client_children_count"] = rng.randint(1, 3)
        vals["client_children_note"] = rng.choice(["School age", "Under one year", "Students", "Toddlers"])
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
