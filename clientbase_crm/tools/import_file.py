"""Reading the client files people really have: the encoding and the delimiter are detected,
and columns are recognised by their header, in Russian or English, in the usual variants.

Plain Python, no ORM: the import wizard (``wizards/clientbase_import_wizard.py``) builds its
editable column mapping from :func:`guess_target` and reads rows with :func:`read_table`;
``import_matching`` then checks what the mapped rows mean.
"""

import csv
import io
import re

ENCODINGS = ("utf-8", "cp1251")
DELIMITERS = (";", ",", "\t")

# what a column may be imported into; the header variants below are written as
# ``header_key`` makes them: lower case, "ё" as "е", letters and digits only
HEADER_VARIANTS = {
    "name": (
        "name fullname clientname client customer customername contactname contact displayname"
        " фио клиент контакт наименование название покупатель заказчик имяклиента фиоклиента"
        " полноеимя наименованиеклиента"
    ),
    "last_name": "lastname surname familyname фамилия",
    "first_name": "firstname givenname имя",
    "middle_name": "middlename patronymic отчество",
    "is_company": "iscompany isacompany юрлицо юридическоелицо",
    "email": (
        "email emails emailaddress mail eмail еmail електроннаяпочта электроннаяпочта элпочта"
        " почта емейл имейл емэйл адресэлектроннойпочты адреспочты"
    ),
    "phone": (
        "phone telephone tel phonenumber workphone телефон тел номертелефона рабочийтелефон"
        " телефонрабочий контактныйтелефон городскойтелефон стационарныйтелефон"
    ),
    "mobile": (
        "mobile mobilephone cell cellphone мобильный мобильныйтелефон моб мобтелефон сотовый сотовыйтелефон"
    ),
    "street": "street address streetaddress адрес улица",
    "city": "city town город населенныйпункт",
    "zip": "zip zipcode postcode postalcode индекс почтовыйиндекс",
    "country": "country countrycode страна кодстраны",
    "birthday": "birthday birthdate dateofbirth dob clientbirthday датарождения деньрождения др",
    "gender": "gender sex clientgender пол",
    "profession": "profession occupation clientprofession профессия родзанятий",
    "family_status": "familystatus maritalstatus clientfamilystatus семейноеположение",
    "needs": "needs clientneeds потребности потребность",
    "vat": "vat taxid inn инн",
    "comment": "comment comments note notes комментарий комментарии примечание примечания заметки",
    "channel": (
        "channel source acquisitionchannel leadsource канал каналпривлечения источник"
        " источникклиента откудаузнал откудаузнали откудаузналао"
    ),
    "manager": (
        "manager salesperson responsible accountmanager owner менеджер ответственный"
        " ответственныйменеджер продавец"
    ),
    "tags": "tags tag labels categories теги тег метки метка категории категория",
    "consent_email": (
        "consent emailconsent marketingconsent subscribed согласие согласиенарассылку"
        " согласиенаemail согласиенаписьма подписка согласиенарассылкуemail"
    ),
    "consent_sms": "smsconsent consentsms согласиенасмс согласиенаsms",
    "consent_phone": "phoneconsent callconsent согласиеназвонки",
    "consent_source": "consentsource источниксогласия",
    "consent_date": "consentdate датасогласия",
}
TARGET_BY_HEADER = {
    variant: target for target, variants in HEADER_VARIANTS.items() for variant in variants.split()
}


def header_key(header):
    """The comparable form of a header: ``" E-mail "`` and ``"e_mail"`` are ``"email"``."""
    return re.sub(r"[^0-9a-zа-я]", "", (header or "").lower().replace("ё", "е"))


def guess_target(header):
    """The target a header names, or ``""`` when it is not recognised."""
    return TARGET_BY_HEADER.get(header_key(header), "")


def guess_targets(headers):
    """One target per header (``""``: not imported); a target is given to its first column only.
    "Имя" is a first name next to a "Фамилия", else the whole name."""
    targets = [guess_target(header) for header in headers]
    if "first_name" in targets and "last_name" not in targets and "name" not in targets:
        targets[targets.index("first_name")] = "name"
    seen = set()
    for index, target in enumerate(targets):
        if target in seen:
            targets[index] = ""
        seen.add(target)
    return targets


def detect_encoding(content):
    """``"utf-8"`` when the bytes read as UTF-8 (a byte order mark included), else ``"cp1251"``."""
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def detect_delimiter(text):
    """The delimiter of the header line: the most frequent of ``;``, ``,`` and tab outside quotes."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def read_table(text, delimiter):
    """The rows of a CSV text as lists of stripped cells."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    return [[cell.strip() for cell in row] for row in reader]
